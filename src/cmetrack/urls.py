from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from cmetrack.accounts.views import admin_sign_in

admin.site.site_header = "cmetrack administration"
admin.site.site_title = "cmetrack"

urlpatterns = [
    path("", include("cmetrack.cases.urls")),
    # Before account/: the organisation pages live with the schools register (a school's URN).
    path("account/organisations/", include("cmetrack.schools.organisation_urls")),
    path("account/", include("cmetrack.accounts.urls")),
    path("", include("cmetrack.referrals.urls")),  # intake/ and the team's referral entry
    path("matching/", include("cmetrack.matching.urls")),
    # Subject access keeps the audit/ address it had before privacy became its own app.
    path("audit/", include("cmetrack.privacy.urls")),
    path("reports/", include("cmetrack.reports.urls")),
    path("ehe/", include("cmetrack.ehe.urls")),  # the home-education register
    path("letters/", include("cmetrack.letters.urls")),
    path("attachments/", include("cmetrack.attachments.urls")),
    path("register-migration/", include("cmetrack.register_import.urls")),
    path("rolls/", include("cmetrack.rolls.urls")),  # school rolls as data (issue 14)
    path("cross-checks/", include("cmetrack.crosschecks.urls")),
    path("information/", include("cmetrack.publicinfo.urls")),  # public: no sign-in
    path("api/", include("cmetrack.api.urls")),  # bearer tokens, not the site's sign-in
    path("exchange/", include("cmetrack.exchange.urls")),  # a hand-over's export (issue 15)
    path("", include("cmetrack.operations.urls")),  # /healthz and the system status page
    # One password door: admin's own sign-in sends people to the throttled, two-factor one.
    path("admin/login/", admin_sign_in, name="admin-sign-in"),
    # ...and its own change-password page (an unthrottled current-password check) likewise.
    path("admin/password_change/", RedirectView.as_view(pattern_name="accounts:password-change")),
    path("admin/", admin.site.urls),
]
