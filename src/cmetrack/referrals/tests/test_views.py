"""Every intake route through the real views: who may use it, what they see, what is refused."""

from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import Case
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.referrals.models import (
    CmeReferral,
    DeletionReturn,
    HandoverState,
    OtherLaNotification,
    PublicConcern,
    SharedStatus,
    Submission,
    TriageState,
)
from cmetrack.referrals.services import (
    deletion_return_submit,
    handover_send,
    new_pupil_return_submit,
)
from cmetrack.testing.factories import (
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
    reason,
)

from .helpers import CHILD, counts, date_fields, deletion_data, new_pupil_data

LA = ["officer", "manager", "admin_user"]
ALL = [*LA, "school_user", "agency_user", "outsider"]


def _school(user: User) -> Any:
    assert user.organisation is not None
    return user.organisation.school


def child_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "forenames": "Amelia",
        "surname": "Testington",
        "sex": "F",
        "upn": "H801200001001",
        "address_line_1": "1 Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        **date_fields("date_of_birth", CHILD.date_of_birth),
    }
    data.update(overrides)
    return data


def deletion_post(**overrides: Any) -> dict[str, Any]:
    data = child_post(
        parent_names="Jo Testington",
        emergency_phone="07700 900123",
        ground="g",
        new_address="",
        new_school_name="",
        **date_fields("deletion_date", timezone.localdate() + timedelta(days=1)),
        **date_fields("new_address_from", None),
        **date_fields("new_school_start", None),
    )
    data.update(overrides)
    return data


def referral_post(**overrides: Any) -> dict[str, Any]:
    data = child_post(
        referrer_name="Pat Lead",
        referrer_role="DSL",
        referral_source="health",
        primary_reason=reason("whereabouts-unknown").pk,
        risk_level="high",
        dsl_risk_view="Worried: no contact for 3 weeks",
        action_1_what="Phoned all contacts",
        action_1_outcome="No answer",
        visit_1_address="1 Example Road",
        visit_1_time="14:30",
        visit_1_seen="",
        **date_fields("action_1_date", timezone.localdate() - timedelta(days=5)),
        **date_fields("visit_1_date", timezone.localdate() - timedelta(days=3)),
        **date_fields("date_last_attended", timezone.localdate() - timedelta(days=20)),
    )
    for i in (2, 3):
        data.update(date_fields(f"action_{i}_date", None))
    data.update(date_fields("visit_2_date", None))
    data.update(overrides)
    return data


# --- who may open each form -------------------------------------------------------------------

FORM_ACCESS = {
    "referrals:deletion": {*LA, "school_user"},
    "referrals:new-pupil": {*LA, "school_user"},
    "referrals:referral": {*LA, "school_user", "agency_user"},
    "referrals:other-la": {*LA, "outsider"},
    "referrals:incoming": set(LA),
}


@pytest.mark.parametrize("name", list(FORM_ACCESS))
@pytest.mark.parametrize("persona", ALL)
def test_each_form_is_open_to_its_senders_and_refused_to_everyone_else(
    name: str, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    expected = 200 if persona in FORM_ACCESS[name] else 403
    assert client_for(user).get(reverse(name)).status_code == expected


@pytest.mark.parametrize("name", list(FORM_ACCESS))
def test_anonymous_visitors_are_sent_to_sign_in(name: str, db: None) -> None:
    response = client_for(None).get(reverse(name))
    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_a_refused_post_writes_nothing(persona: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(persona)
    before = counts()
    client_for(user).post(reverse("referrals:incoming"), {})
    for name in FORM_ACCESS:
        if persona not in FORM_ACCESS[name]:
            assert client_for(user).post(reverse(name), deletion_post()).status_code == 403
    assert counts() == before


# --- route 1: deletion return ------------------------------------------------------------------


def test_a_school_sends_a_deletion_return_and_sees_its_reference(
    school_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(school_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referrals:deletion"), deletion_post(), follow=True)
    ret = DeletionReturn.objects.get()
    assert ret.reference.startswith("DEL-")
    assert ret.school == _school(school_user) and ret.organisation == school_user.organisation
    assert ret.reference in response.content.decode()
    assert "Received" in response.content.decode()
    assert len(mail.outbox) == 1 and "Testington" not in mail.outbox[0].body


REFUSED_DELETIONS: list[tuple[str, dict[str, Any], str]] = [
    (
        "no date of birth",
        date_fields("date_of_birth", None),
        "Enter the child&#x27;s date of birth",
    ),
    ("no surname", {"surname": ""}, "Enter the child&#x27;s surname"),
    ("a year no calendar holds", {"deletion_date_2": "99999999999"}, "Enter a real date"),
    ("an unknown ground", {"ground": "p"}, "Select a valid choice"),
]

# Recorded and flagged, never refused (DOMAIN.md §4): the school sees what was flagged.
FLAGGED_DELETIONS: list[tuple[str, dict[str, Any], str]] = [
    ("no ground", {"ground": ""}, "No ground for removal was stated"),
    ("ground a without a new school", {"ground": "a"}, "names no new school"),
    ("no phone", {"emergency_phone": ""}, "No emergency phone number"),
    ("a wrong UPN check letter", {"upn": "H801200001009"}, "kept as unverified"),
    (
        "late",
        date_fields("deletion_date", timezone.localdate() - timedelta(days=1)),
        "a late return",
    ),
]


@pytest.mark.parametrize(
    ("why", "overrides", "message"), FLAGGED_DELETIONS, ids=[r[0] for r in FLAGGED_DELETIONS]
)
def test_an_incomplete_or_late_deletion_return_is_recorded_and_shows_what_was_flagged(
    why: str, overrides: dict[str, Any], message: str, school_user: User
) -> None:
    response = client_for(school_user).post(
        reverse("referrals:deletion"), deletion_post(**overrides), follow=True
    )
    ret = DeletionReturn.objects.get()
    html = response.content.decode()
    assert ret.reference in html
    assert message in html


@pytest.mark.parametrize(
    ("why", "overrides", "message"), REFUSED_DELETIONS, ids=[r[0] for r in REFUSED_DELETIONS]
)
def test_a_bad_deletion_return_is_shown_with_an_error_summary_and_nothing_is_written(
    why: str, overrides: dict[str, Any], message: str, school_user: User
) -> None:
    before = counts()
    response = client_for(school_user).post(
        reverse("referrals:deletion"), deletion_post(**overrides)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert counts() == before


def test_the_la_records_a_deletion_return_for_a_school(officer: User) -> None:
    school = SchoolFactory()
    client_for(officer).post(reverse("referrals:deletion"), deletion_post(school=school.pk))
    assert DeletionReturn.objects.get().school == school


# --- route 2: new-pupil return closes a matching case ----------------------------------------


def test_a_new_pupil_return_offers_and_closes_the_matching_case(
    school_user: User, officer: User
) -> None:
    child = ChildFactory(upn=CHILD.upn)
    case = CaseFactory(child=child)
    client_for(school_user).post(
        reverse("referrals:new-pupil"),
        child_post(parent_names="Jo", **date_fields("start_date", timezone.localdate())),
    )
    ret = Submission.objects.get()
    page = client_for(officer).get(reverse("referrals:triage", args=[ret.public_id]))
    school = _school(school_user)
    assert f"on roll at {school.name}" in page.content.decode()
    # The matching case offered at triage shows a known child: the view is recorded.
    seen = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=officer)
    assert {(e.content_type.model, e.object_pk) for e in seen} >= {
        ("case", str(case.pk)),
        ("child", str(child.pk)),
    }
    client_for(officer).post(reverse("referrals:close-case", args=[ret.public_id]))
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == "on_roll_here"
    mine = client_for(school_user).get(reverse("referrals:mine")).content.decode()
    assert SharedStatus.CLOSED_ON_ROLL_HERE.label in mine


# --- route 3: referral --------------------------------------------------------------------------


def test_an_agency_refers_a_child_with_actions_and_home_visits(agency_user: User) -> None:
    response = client_for(agency_user).post(reverse("referrals:referral"), referral_post())
    assert response.status_code == 302
    ref = CmeReferral.objects.get()
    assert ref.referral_source == "health" and ref.risk_level == "high"
    assert ref.actions.get().outcome == "No answer"
    visit = ref.home_visits.get()
    assert visit.visited_at is not None and visit.who_was_seen == ""


def test_a_school_referral_is_about_its_own_pupil(school_user: User) -> None:
    client_for(school_user).post(reverse("referrals:referral"), referral_post())
    ref = CmeReferral.objects.get()
    assert ref.school == _school(school_user) and ref.referral_source == "school"


def test_a_home_visit_without_an_address_is_refused(agency_user: User) -> None:
    before = counts()
    response = client_for(agency_user).post(
        reverse("referrals:referral"), referral_post(visit_1_address="")
    )
    assert "Enter the address of home visit 1" in response.content.decode()
    assert counts() == before


def test_triage_opens_a_case_from_a_referral_with_its_flags_and_reason(
    agency_user: User, officer: User
) -> None:
    client_for(agency_user).post(reverse("referrals:referral"), referral_post())
    ref = CmeReferral.objects.get()
    client_for(officer).post(reverse("referrals:apply", args=[ref.public_id]))
    ref.refresh_from_db()
    case = Case.objects.get()
    assert ref.case == case and case.risk_level == "high"
    assert case.referral_source == "health"
    assert ref.reference in case.events.get(kind="note_added").payload["text"]  # the opening note


# --- route 4: other-LA notification ------------------------------------------------------------


def test_another_authority_notifies_a_move_in_under_its_own_name(outsider: User) -> None:
    client_for(outsider).post(
        reverse("referrals:other-la"),
        child_post(nature="moved_in", concerns="Family left owing rent", other_la_name="Fake"),
    )
    note = OtherLaNotification.objects.get()
    assert note.other_la_name == "Wirral" and note.other_la_code == "344"
    assert note.reference.startswith("OLA-")


def test_the_handover_pages_record_each_state(officer: User) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    client = client_for(officer)
    client.post(reverse("referrals:handovers", args=[case.public_id]), {"other_la_name": "Wirral"})
    note = OtherLaNotification.objects.get()
    response = client.post(reverse("referrals:handover", args=[note.public_id]), {"to": "declined"})
    assert "Enter the reason" in response.content.decode()
    client.post(reverse("referrals:handover", args=[note.public_id]), {"to": "accepted"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_cannot_reach_handover_pages(
    persona: str, officer: User, request: pytest.FixtureRequest
) -> None:
    case = CaseFactory(status=Status.ENQUIRIES)
    client = client_for(request.getfixturevalue(persona))
    url = reverse("referrals:handovers", args=[case.public_id])
    assert client.post(url, {"other_la_name": "Wirral"}).status_code == 403
    assert not OtherLaNotification.objects.exists()


# --- who sees what ---------------------------------------------------------------------------


def test_a_school_sees_only_its_own_submissions(school_user: User, other_school_user: User) -> None:
    mine = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    theirs = deletion_return_submit(
        data=deletion_data(_school(other_school_user)), by=other_school_user
    )
    client = client_for(school_user)
    listing = client.get(reverse("referrals:mine")).content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert client.get(reverse("referrals:submission", args=[mine.public_id])).status_code == 200
    assert client.get(reverse("referrals:submission", args=[theirs.public_id])).status_code == 404


@pytest.mark.parametrize("persona", ["agency_user", "outsider", "other_agency_user"])
def test_no_other_partner_sees_a_schools_return(
    persona: str, school_user: User, request: pytest.FixtureRequest
) -> None:
    ret = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("referrals:submission", args=[ret.public_id])).status_code == 404
    assert ret.reference not in client.get(reverse("referrals:mine")).content.decode()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_cannot_triage(
    persona: str, request: pytest.FixtureRequest, school_user: User
) -> None:
    ret = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    client = client_for(request.getfixturevalue(persona))
    before = counts()
    for name in ("apply", "open-case", "link", "no-action", "confirm", "close-case"):
        assert client.post(reverse(f"referrals:{name}", args=[ret.public_id])).status_code == 403
    assert client.get(reverse("referrals:triage", args=[ret.public_id])).status_code == 403
    assert counts() == before


# --- the incoming queue ----------------------------------------------------------------------


def test_the_incoming_queue_is_oldest_first_with_the_statutory_clock(
    school_user: User, officer: User
) -> None:
    newer = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    older = new_pupil_return_submit(data=new_pupil_data(_school(school_user)), by=school_user)
    Submission.objects.filter(pk=older.pk).update(received_at=timezone.now() - timedelta(days=6))
    html = client_for(officer).get(reverse("referrals:incoming")).content.decode()
    assert html.index(older.reference) < html.index(newer.reference)
    assert ">6<" in html  # days waiting, flagged
    assert newer.deletion_date.strftime("%-d %b %Y") in html


def test_grounds_h_and_i_open_an_at_risk_case_and_wait_for_a_managers_agreement_in_the_queue(
    school_user: User, officer: User, manager: User
) -> None:
    ret = deletion_return_submit(
        data=deletion_data(_school(school_user), ground="h"), by=school_user
    )
    ret.refresh_from_db()
    assert ret.case is not None and ret.case.category == "at_risk"  # opened on arrival
    client = client_for(officer)
    assert "Awaiting LA confirmation" in client.get(reverse("referrals:incoming")).content.decode()
    before = counts()
    client.post(reverse("referrals:apply", args=[ret.public_id]))
    assert Case.objects.count() == before.cases
    refused = client.post(reverse("referrals:confirm", args=[ret.public_id]), {"note": "done"})
    assert "Only a CME manager" in refused.content.decode()
    managing = client_for(manager)
    response = managing.post(reverse("referrals:confirm", args=[ret.public_id]), {"note": ""})
    assert "govuk-error-summary" in response.content.decode()
    managing.post(
        reverse("referrals:confirm", args=[ret.public_id]), {"note": "S2S and GP checked"}
    )
    ret.refresh_from_db()
    assert ret.la_confirmed_by == manager and ret.removal_agreed_on is not None
    assert ret.case is not None
    address = ret.case.child.current_address
    assert address is not None
    assert address.state == "unknown"
    assert ret.reference not in client.get(reverse("referrals:incoming")).content.decode()
    # The school sees the agreement on its own submission.
    mine = client_for(school_user).get(reverse("referrals:submission", args=[ret.public_id]))
    assert "removal from roll agreed" in mine.content.decode()


def test_no_action_with_a_reason_tells_the_school(school_user: User, officer: User) -> None:
    ret = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    client_for(officer).post(
        reverse("referrals:no-action", args=[ret.public_id]),
        {
            "reason": "Known: moved to Wales, on roll there",
            "shared_status": "closed_on_roll_elsewhere",
        },
    )
    ret.refresh_from_db()
    assert ret.triage_state == TriageState.NO_ACTION
    page = client_for(school_user).get(reverse("referrals:submission", args=[ret.public_id]))
    assert "Closed: on roll elsewhere" in page.content.decode()
    # The LA's internal reason is not shown to the school.
    assert "moved to Wales" not in page.content.decode()


def test_linking_to_an_unknown_reference_is_refused(school_user: User, officer: User) -> None:
    ret = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    response = client_for(officer).post(
        reverse("referrals:link", args=[ret.public_id]), {"reference": "CME-0000-0000"}
    )
    assert "There is no case with that reference" in response.content.decode()
    ret.refresh_from_db()
    assert ret.triage_state == TriageState.NEW


# --- route 5: the public --------------------------------------------------------------------


@pytest.fixture
def fresh_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


PUBLIC = {
    "about_child": "A girl, about 9, called Amelia",
    "where": "Bootle",
    "why_worried": "Never at school",
}


def test_the_public_form_needs_no_sign_in_and_gives_a_reference(
    db: None, fresh_limits: None
) -> None:
    client = client_for(None)
    assert client.get(reverse("referrals:concern")).status_code == 200
    response = client.post(reverse("referrals:concern"), PUBLIC, follow=True)
    concern = PublicConcern.objects.get()
    assert concern.reference in response.content.decode()
    # The reference is shown once; a reload does not show it again.
    again = client.get(reverse("referrals:concern-received"))
    assert again.status_code == 302


def test_the_public_form_reveals_nothing_about_a_known_child(db: None, fresh_limits: None) -> None:
    CaseFactory(child__forenames="Amelia", child__surname="Known")
    known = client_for(None).post(
        reverse("referrals:concern"), {**PUBLIC, "about_child": "Amelia Known"}, follow=True
    )
    unknown = client_for(None).post(
        reverse("referrals:concern"), {**PUBLIC, "about_child": "Nobody Atall"}, follow=True
    )
    strip = [c.reference for c in PublicConcern.objects.all()]
    a, b = known.content.decode(), unknown.content.decode()
    for ref in strip:
        a, b = a.replace(ref, "REF"), b.replace(ref, "REF")
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert token.sub("", a) == token.sub("", b)


def test_the_honeypot_looks_like_success_and_writes_nothing(db: None, fresh_limits: None) -> None:
    before = counts()
    response = client_for(None).post(
        reverse("referrals:concern"), {**PUBLIC, "website": "http://spam.example"}, follow=True
    )
    assert "Your reference number" in response.content.decode()
    assert counts() == before


@override_settings(CMETRACK_PUBLIC_CONCERN_RATE="3/h")
def test_the_public_form_is_rate_limited_per_address(db: None, fresh_limits: None) -> None:
    client = client_for(None)
    for _ in range(3):
        assert client.post(reverse("referrals:concern"), PUBLIC).status_code == 302
    before = counts()
    assert client.post(reverse("referrals:concern"), PUBLIC).status_code == 429
    assert counts() == before
    other = client_for(None).post(reverse("referrals:concern"), PUBLIC, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_a_public_concern_missing_its_answers_is_refused_with_nothing_written(
    db: None, fresh_limits: None
) -> None:
    before = counts()
    response = client_for(None).post(reverse("referrals:concern"), {"about_child": "x"})
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Tell us why you are worried" in html
    assert counts() == before


def test_the_public_concern_lands_in_the_queue_for_the_team(
    officer: User, fresh_limits: None
) -> None:
    client_for(None).post(reverse("referrals:concern"), PUBLIC)
    concern = PublicConcern.objects.get()
    html = client_for(officer).get(reverse("referrals:incoming")).content.decode()
    assert concern.reference in html and "Member of the public" in html


# --- hand-overs addressed to another authority -------------------------------------------------


def _handover_to(code: str, officer: User) -> OtherLaNotification:
    case = CaseFactory(status=Status.ENQUIRIES, child__forenames="Kai", child__surname="Moved")
    return handover_send(case=case, other_la_name="Wirral", other_la_code=code, by=officer)


def test_the_receiving_authority_sees_and_answers_its_handovers(
    outsider: User, officer: User
) -> None:
    mine = _handover_to("344", officer)
    _handover_to("340", officer)  # Knowsley's: never listed
    client = client_for(outsider)
    page = client.get(reverse("referrals:handovers-received")).content.decode()
    assert mine.reference in page and "Kai Moved" in page
    assert page.count("OLA-") == 1
    url = reverse("referrals:handover-reply", args=[mine.public_id])
    assert client.get(url).status_code == 200
    client.post(url, {"to": "acknowledged"})
    refused = client.post(url, {"to": "declined", "reason": ""})
    assert refused.status_code == 400 and "Enter the reason" in refused.content.decode()
    client.post(url, {"to": "declined", "reason": "Family not at that address"})
    mine.refresh_from_db()
    assert mine.handover_state == HandoverState.DECLINED
    assert mine.handover_reason == "Family not at that address"
    assert [c.by for c in mine.handover_changes.all()] == [officer, outsider, outsider]
    assert mine.case is not None
    mine.case.refresh_from_db()
    assert mine.case.status == Status.ENQUIRIES
    assert "nothing more to answer" in client.get(url).content.decode()


def test_the_receiving_authority_may_accept_and_so_close_the_case(
    outsider: User, officer: User
) -> None:
    note = _handover_to("344", officer)
    client_for(outsider).post(
        reverse("referrals:handover-reply", args=[note.public_id]), {"to": "accepted"}
    )
    assert note.case is not None
    note.case.refresh_from_db()
    assert note.case.status == Status.CLOSED


def test_the_receiving_authority_cannot_withdraw(outsider: User, officer: User) -> None:
    note = _handover_to("344", officer)
    response = client_for(outsider).post(
        reverse("referrals:handover-reply", args=[note.public_id]), {"to": "withdrawn"}
    )
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.handover_state == HandoverState.SENT


def test_another_authoritys_user_gets_404(officer: User) -> None:
    note = _handover_to("344", officer)
    org = OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Knowsley", la_code="340")
    knowsley = UserFactory(role=User.Role.OTHER_LA_USER, organisation=org)
    client = client_for(knowsley)
    url = reverse("referrals:handover-reply", args=[note.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"to": "accepted"}).status_code == 404
    assert (
        note.reference not in client.get(reverse("referrals:handovers-received")).content.decode()
    )
    note.refresh_from_db()
    assert note.handover_state == HandoverState.SENT


@pytest.mark.parametrize(
    "persona", ["officer", "manager", "admin_user", "school_user", "agency_user"]
)
def test_everyone_else_is_refused_the_received_handover_pages(
    persona: str, officer: User, request: pytest.FixtureRequest
) -> None:
    note = _handover_to("344", officer)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("referrals:handovers-received")).status_code == 403
    url = reverse("referrals:handover-reply", args=[note.public_id])
    assert client.post(url, {"to": "accepted"}).status_code == 403
    note.refresh_from_db()
    assert note.handover_state == HandoverState.SENT


def test_anonymous_visitors_are_sent_to_sign_in_for_received_handovers(db: None) -> None:
    response = Client().get(reverse("referrals:handovers-received"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


# --- returns the CME team records on a school's behalf -----------------------------------------


def test_a_return_recorded_for_a_school_is_the_schools_to_see(
    officer: User, school_user: User, other_school_user: User
) -> None:
    school = _school(school_user)
    ret = deletion_return_submit(data=deletion_data(school), by=officer)
    assert ret.organisation == school_user.organisation
    assert ret.submitted_by == officer  # who actually entered it
    client = client_for(school_user)
    assert ret.reference in client.get(reverse("referrals:mine")).content.decode()
    page = client.get(reverse("referrals:submission", args=[ret.public_id])).content.decode()
    assert ret.reference in page and escape(str(officer)) in page
    other = client_for(other_school_user)
    assert other.get(reverse("referrals:submission", args=[ret.public_id])).status_code == 404


def test_a_return_recorded_through_the_form_for_a_school_is_filed_under_it(
    officer: User, school_user: User
) -> None:
    school = _school(school_user)
    ret = new_pupil_return_submit(data=new_pupil_data(school), by=officer)
    assert ret.organisation == school_user.organisation and ret.submitted_by == officer


def test_a_return_for_a_school_with_no_users_stays_with_the_team(officer: User) -> None:
    ret = deletion_return_submit(data=deletion_data(SchoolFactory()), by=officer)
    assert ret.organisation == officer.organisation


def test_an_import_by_the_team_is_filed_under_each_school(officer: User, school_user: User) -> None:
    from cmetrack.referrals.imports import import_commit, import_upload

    from .test_imports import csv_bytes, csv_row

    urn = _school(school_user).urn
    batch, _ = import_upload(data=csv_bytes(csv_row(urn)), filename="r.csv", by=officer)
    import_commit(batch=batch, valid_only=False, by=officer)
    ret = Submission.objects.get(import_batch=batch)
    assert ret.organisation == school_user.organisation and ret.submitted_by == officer
