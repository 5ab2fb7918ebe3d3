from django.urls import include, path

from .views import (
    destinations,
    imports,
    public,
    received,
    school_patterns,
    submit,
    team_referral,
    triage,
)

app_name = "referrals"

intake_urlpatterns = [
    path("", submit.my_submissions_view, name="mine"),
    path("export.<str:fmt>", submit.my_submissions_export, name="mine-export"),
    path("concern/", public.concern_create, name="concern"),
    path("concern/received/", public.concern_received, name="concern-received"),
    path("returns/deletion/", submit.deletion_create, name="deletion"),
    path("returns/new-pupil/", submit.new_pupil_create, name="new-pupil"),
    path("referrals/new/", submit.referral_create, name="referral"),
    path("other-la/new/", submit.other_la_create, name="other-la"),
    path("submissions/<uuid:public_id>/", submit.submission_detail, name="submission"),
    path("incoming/", triage.incoming, name="incoming"),
    path("incoming/export.<str:fmt>", triage.incoming_export, name="incoming-export"),
    path("incoming/<uuid:public_id>/", triage.triage, name="triage"),
    path("incoming/<uuid:public_id>/apply/", triage.apply_route, name="apply"),
    path("incoming/<uuid:public_id>/open-case/", triage.open_case, name="open-case"),
    path("incoming/<uuid:public_id>/link/", triage.link_case, name="link"),
    path("incoming/<uuid:public_id>/no-action/", triage.no_action, name="no-action"),
    path("incoming/<uuid:public_id>/ask-more/", triage.ask_more, name="ask-more"),
    path("incoming/<uuid:public_id>/confirm/", triage.confirm_enquiries, name="confirm"),
    path("incoming/<uuid:public_id>/close-case/", triage.close_case, name="close-case"),
    path(
        "incoming/<uuid:public_id>/destination/",
        destinations.destination_confirm_view,
        name="destination-confirm",
    ),
    path("cases/<uuid:public_id>/handovers/", triage.handover_create, name="handovers"),
    path("handovers/<uuid:public_id>/", triage.handover_change, name="handover"),
    path("handovers/received/", received.received_list, name="handovers-received"),
    path("handovers/received/<uuid:public_id>/", received.received_reply, name="handover-reply"),
    path("import/", imports.upload, name="import"),
    path("import/template.csv", imports.template_csv, name="import-template"),
    path("import/<uuid:public_id>/", imports.preview, name="import-preview"),
    path("import/<uuid:public_id>/commit/", imports.commit, name="import-commit"),
]

# Included at the site root: intake's pages live under intake/; the CME team's own referral entry
# keeps the address it had as a cases page.
urlpatterns = [
    path("intake/", include(intake_urlpatterns)),
    path("referrals/new/", team_referral.referral_create, name="team-referral"),
    # Patterns per school (off-rolling): the CME team's view of its schools' returns.
    path("school-patterns/", school_patterns.school_patterns_list, name="school-patterns"),
    path(
        "school-patterns/export.csv",
        school_patterns.school_patterns_csv,
        name="school-patterns-csv",
    ),
    path(
        "school-patterns/<str:urn>/",
        school_patterns.school_pattern_detail_view,
        name="school-pattern",
    ),
]
