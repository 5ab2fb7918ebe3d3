"""Intake services: validation by ground, routing over all 15 grounds, triage, hand-over."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind, describe
from cmetrack.cases.models import Case, CaseEvent, MissingReason, Outcome
from cmetrack.cases.status import Status
from cmetrack.core.grounds import GROUNDS, Route
from cmetrack.referrals.models import (
    DeletionReturn,
    HandoverState,
    Nature,
    SharedStatus,
    Submission,
    TriageState,
)
from cmetrack.referrals.services import (
    CmeReferralData,
    IntakeError,
    OtherLaData,
    PublicConcernData,
    cme_referral_submit,
    deletion_confirm_enquiries,
    deletion_return_submit,
    handover_send,
    handover_update,
    new_pupil_close_case,
    new_pupil_return_submit,
    other_la_notification_submit,
    public_concern_submit,
    submission_apply_route,
    submission_link_case,
    submission_no_action,
    submission_open_case,
)
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import CaseFactory, ChildFactory, SchoolFactory

from .helpers import CHILD, counts, deletion_data, new_pupil_data


def _school(user: User) -> Any:
    assert user.organisation is not None
    return user.organisation.school


def _deletion(user: User, **overrides: Any) -> DeletionReturn:
    extra: dict[str, Any] = {}
    if overrides.get("ground") == "a":
        extra["new_school"] = SchoolFactory()
    return deletion_return_submit(
        data=deletion_data(_school(user), **{**extra, **overrides}), by=user
    )


# --- validation: each refusal writes nothing ---------------------------------------------------

REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("an unknown ground", {"ground": "p"}, "ground"),
    ("no deletion date", {"deletion_date": None}, "date of removal"),
    (
        "a surname longer than the register holds",
        {"child": replace(CHILD, surname="x" * 101)},
        "100 characters",
    ),
]


@pytest.mark.parametrize(("why", "overrides", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_bad_deletion_return_is_refused_and_nothing_is_written(
    why: str, overrides: dict[str, Any], message: str, school_user: User
) -> None:
    before = counts()
    with pytest.raises(IntakeError, match=message):
        deletion_return_submit(
            data=deletion_data(_school(school_user), **overrides), by=school_user
        )
    assert counts() == before


# The LA never refuses information about a child (DOMAIN.md §4): these are recorded and flagged.
FLAGGED: list[tuple[str, dict[str, Any], str]] = [
    ("ground a without a new school", {"ground": "a"}, "names no new school"),
    ("no ground", {"ground": ""}, "No ground for removal was stated"),
    ("no emergency phone", {"emergency_phone": " "}, "No emergency phone number"),
    ("a past deletion date", {"deletion_date": timezone.localdate() - timedelta(days=1)}, "late"),
]


@pytest.mark.parametrize(("why", "overrides", "message"), FLAGGED, ids=[r[0] for r in FLAGGED])
def test_an_incomplete_or_late_deletion_return_is_recorded_with_its_warning(
    why: str, overrides: dict[str, Any], message: str, school_user: User
) -> None:
    ret = deletion_return_submit(
        data=deletion_data(_school(school_user), **overrides), by=school_user
    )
    assert ret.pk
    assert any(message in text for _field, text in ret.intake_warnings)


def test_a_late_deletion_return_records_how_many_school_days_late(school_user: User) -> None:
    term_dates_load_bundled(by=None)
    removed = date(2026, 11, 2)  # a Monday in the bundled autumn term
    with time_machine.travel(datetime(2026, 11, 6, 12, tzinfo=UTC), tick=False):
        ret = deletion_return_submit(
            data=deletion_data(_school(school_user), deletion_date=removed), by=school_user
        )
    assert ret.late_school_days == 4


def test_a_school_user_cannot_send_a_return_for_another_school(
    school_user: User, other_school_user: User
) -> None:
    before = counts()
    with pytest.raises(IntakeError, match="your own school"):
        deletion_return_submit(data=deletion_data(_school(other_school_user)), by=school_user)
    assert counts() == before


@pytest.mark.parametrize("persona", ["agency_user", "outsider"])
def test_agencies_and_other_authorities_cannot_send_school_returns(
    persona: str, school_user: User, request: pytest.FixtureRequest
) -> None:
    by = request.getfixturevalue(persona)  # made (and audited) before the counting starts
    before = counts()
    with pytest.raises(IntakeError):
        deletion_return_submit(data=deletion_data(_school(school_user)), by=by)
    assert counts() == before


# --- routing over all fifteen grounds -----------------------------------------------------------


@pytest.mark.parametrize("code", list(GROUNDS))
def test_each_ground_is_routed_as_the_regulations_say(
    code: str, school_user: User, officer: User, manager: User
) -> None:
    ret = _deletion(school_user, ground=code)
    assert ret.triage_state == TriageState.NEW
    g = GROUNDS[code]
    if g.needs_la_confirmation:
        assert ret.shared_status == SharedStatus.AWAITING_LA_CONFIRMATION
        # Joint enquiries start at once: an at-risk case opens on arrival.
        assert Case.objects.get().category == "at_risk"
        with pytest.raises(IntakeError, match="agreement"):
            submission_apply_route(submission=ret, by=officer)
        ret = deletion_confirm_enquiries(
            deletion=ret, by=manager, note="S2S searched; council tax and health checked."
        )
    else:
        ret = submission_apply_route(submission=ret, by=officer)  # type: ignore[assignment]
    ret.refresh_from_db()
    route = g.route_for(has_new_school=code == "a")
    if route == Route.OPEN_CASE:
        case = Case.objects.get()
        assert ret.case == case and ret.triage_state == TriageState.LINKED
        assert case.primary_reason.code == g.reason_code
        assert case.referral_source == "school"
        notes = [e.payload["text"] for e in case.events.filter(kind="note_added")]
        assert any(ret.reference in text for text in notes)
        if g.whereabouts_unknown:
            address = case.child.current_address
            assert address is not None
            assert address.state == "unknown"
    elif route == Route.PASS_TO_EHE:
        assert not Case.objects.exists()
        assert ret.shared_status == SharedStatus.PASSED_TO_EHE
        assert ret.triage_state == TriageState.TRIAGED
    else:
        assert not Case.objects.exists()
        assert ret.triage_state == TriageState.TRIAGED


def test_ground_g_naming_a_new_school_is_recorded_only_and_awaits_confirmation(
    school_user: User, officer: User
) -> None:
    ret = _deletion(school_user, ground="g", new_school=SchoolFactory())
    assert ret.route == Route.RECORD_ONLY
    submission_apply_route(submission=ret, by=officer)
    ret.refresh_from_db()
    # Named is not confirmed: "on roll elsewhere" only once the new school or the receiving
    # authority confirms (test_destinations.py).
    assert ret.shared_status == SharedStatus.AWAITING_DESTINATION
    assert ret.destination_due is not None
    assert not Case.objects.exists()


def test_the_la_confirmation_records_who_and_when(
    school_user: User, officer: User, manager: User
) -> None:
    ret = _deletion(school_user, ground="i")
    with pytest.raises(IntakeError, match="Only a CME manager"):
        deletion_confirm_enquiries(deletion=ret, by=officer, note="Joint enquiries done.")
    ret = deletion_confirm_enquiries(deletion=ret, by=manager, note="Joint enquiries done.")
    assert ret.la_confirmed_by == manager and ret.la_confirmed_at is not None
    assert ret.shared_status == SharedStatus.REMOVAL_AGREED
    with pytest.raises(IntakeError, match="already confirmed"):
        deletion_confirm_enquiries(deletion=ret, by=manager, note="again")


def test_a_partner_cannot_confirm_joint_enquiries(school_user: User) -> None:
    ret = _deletion(school_user, ground="h")
    with pytest.raises(IntakeError):
        deletion_confirm_enquiries(deletion=ret, by=school_user, note="we did")
    ret.refresh_from_db()
    assert ret.la_confirmed_at is None


def test_a_return_for_a_child_with_an_open_case_is_added_to_that_case(
    school_user: User, officer: User
) -> None:
    case = CaseFactory(child__upn=CHILD.upn)
    ret = _deletion(school_user, ground="m")
    # The line is written when the school sends the return, in the school user's name ...
    line = case.events.get(kind=EventKind.SUBMISSION_RECEIVED)
    assert line.actor == school_user
    assert line.payload["reference"] == ret.reference
    assert line.payload["kind_label"] == "Deletion return"
    assert "deletion date" in line.payload["text"]
    assert describe(line.kind, line.payload) == f"Deletion return received ({ret.reference})"
    submission_apply_route(submission=ret, by=officer)
    ret.refresh_from_db()
    assert ret.case == case
    assert Case.objects.count() == 1
    # ... and triage links it without writing it twice, and writes no note.
    assert case.events.filter(kind=EventKind.SUBMISSION_RECEIVED).count() == 1
    assert not case.events.filter(kind=EventKind.NOTE_ADDED).exists()


@pytest.mark.parametrize("route", ["submit", "link", "no_case"])
def test_every_partner_route_writes_its_line_on_an_open_case_at_submission(
    route: str, agency_user: User, outsider: User, officer: User
) -> None:
    case = CaseFactory(child__upn=CHILD.upn) if route != "no_case" else None
    ref = cme_referral_submit(
        data=CmeReferralData(
            child=CHILD, referrer_name="Sam Nurse", primary_reason=MissingReason.objects.first()
        ),
        by=agency_user,
    )
    ola = other_la_notification_submit(
        data=OtherLaData(child=CHILD, nature=Nature.MOVED_IN, other_la_name="Wirral"), by=outsider
    )
    if route == "no_case":
        assert not CaseEvent.objects.filter(kind=EventKind.SUBMISSION_RECEIVED).exists()
        return
    assert case is not None
    lines = {e.payload["reference"]: e for e in case.events.filter(kind="submission_received")}
    assert set(lines) == {ref.reference, ola.reference}
    assert lines[ref.reference].actor == agency_user
    assert lines[ola.reference].actor == outsider
    if route == "link":
        submission_link_case(submission=ref, case=case, by=officer)
        assert case.events.filter(kind=EventKind.SUBMISSION_RECEIVED).count() == 2


def test_passing_to_ehe_writes_the_officers_decision_as_a_note(
    school_user: User, officer: User
) -> None:
    case = CaseFactory(child__upn=CHILD.upn)
    ret = _deletion(school_user, ground="f")
    submission_apply_route(submission=ret, by=officer)
    assert case.events.filter(kind=EventKind.SUBMISSION_RECEIVED).count() == 1
    note = case.events.get(kind=EventKind.NOTE_ADDED)
    assert note.actor == officer and "elective home education" in note.payload["text"]


def test_a_triaged_submission_cannot_be_triaged_twice(school_user: User, officer: User) -> None:
    ret = _deletion(school_user, ground="b")
    submission_apply_route(submission=ret, by=officer)
    with pytest.raises(IntakeError, match="already triaged"):
        submission_no_action(submission=ret, reason="dup", by=officer)


def test_no_action_needs_a_reason_and_tells_the_sender(school_user: User, officer: User) -> None:
    ret = _deletion(school_user, ground="g")
    with pytest.raises(IntakeError, match="why"):
        submission_no_action(submission=ret, reason=" ", by=officer)
    submission_no_action(submission=ret, reason="Already known to admissions", by=officer)
    ret.refresh_from_db()
    assert ret.triage_state == TriageState.NO_ACTION
    assert ret.shared_status == SharedStatus.CLOSED_NO_ACTION


def test_linking_writes_on_the_case_timeline(school_user: User, officer: User) -> None:
    case = CaseFactory()
    ret = _deletion(school_user, ground="g")
    submission_link_case(submission=ret, case=case, by=officer)
    ret.refresh_from_db()
    assert ret.case == case and ret.triage_state == TriageState.LINKED
    line = case.events.get(kind=EventKind.SUBMISSION_RECEIVED)
    assert line.actor == officer and line.payload["reference"] == ret.reference
    assert not case.events.filter(kind=EventKind.NOTE_ADDED).exists()


@pytest.mark.parametrize(
    "action",
    [
        lambda s, u: submission_apply_route(submission=s, by=u),
        lambda s, u: submission_open_case(submission=s, by=u),
        lambda s, u: submission_no_action(submission=s, reason="x", by=u),
    ],
)
def test_only_the_cme_team_triages(
    action: Callable[[Submission, User], object], school_user: User
) -> None:
    ret = _deletion(school_user, ground="g")
    before = counts()
    with pytest.raises(IntakeError, match="CME team"):
        action(ret, school_user)
    assert counts() == before


# --- new-pupil returns close matching cases -----------------------------------------------------


def test_a_new_pupil_return_closes_the_childs_open_case_as_on_roll(
    school_user: User, officer: User
) -> None:
    child = ChildFactory(
        forenames="Amelia", surname="Testington", date_of_birth=CHILD.date_of_birth
    )
    case = CaseFactory(child=child)
    ret = new_pupil_return_submit(
        data=new_pupil_data(_school(school_user), child=CHILD), by=school_user
    )
    closed = new_pupil_close_case(submission=ret, by=officer)
    assert closed == case
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == Outcome.ON_ROLL_THIS_LA
    ret.refresh_from_db()
    assert ret.shared_status == SharedStatus.CLOSED_ON_ROLL_HERE and ret.case == case


def test_a_new_pupil_return_with_no_open_case_cannot_close_one(
    school_user: User, officer: User
) -> None:
    ret = new_pupil_return_submit(data=new_pupil_data(_school(school_user)), by=school_user)
    with pytest.raises(IntakeError, match="no open CME case"):
        new_pupil_close_case(submission=ret, by=officer)


def test_a_future_start_date_is_recorded_with_a_warning(school_user: User) -> None:
    # A CTF or a return often arrives before the pupil's first day: recorded, and said so.
    ret = new_pupil_return_submit(
        data=new_pupil_data(
            _school(school_user), start_date=timezone.localdate() + timedelta(days=2)
        ),
        by=school_user,
    )
    assert any("in the future" in text for _field, text in ret.intake_warnings)


# --- acknowledgement -----------------------------------------------------------------------------


def test_the_acknowledgement_email_carries_the_reference_and_no_child_details(
    school_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ret = _deletion(school_user)
    (message,) = mail.outbox
    assert message.to == [school_user.email]
    assert ret.reference in message.body and ret.reference in message.subject
    for secret in ("Amelia", "Testington", CHILD.upn, "Example Road", "L20"):
        assert secret not in message.body and secret not in message.subject


def test_a_public_concern_without_an_email_sends_nothing(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        concern = public_concern_submit(
            data=PublicConcernData(about_child="A girl, about 9", where="Bootle", why_worried="x")
        )
    assert concern.reference.startswith("PUB-")
    assert concern.submitted_by is None and concern.organisation is None
    assert mail.outbox == []


# --- outbound hand-over state machine -----------------------------------------------------------


@pytest.fixture
def open_case(db: None) -> Case:
    return CaseFactory(status=Status.ENQUIRIES)


def test_sending_a_handover_keeps_the_case_open_as_transferred(
    open_case: Case, officer: User
) -> None:
    note = handover_send(case=open_case, other_la_name="Wirral", other_la_code="344", by=officer)
    open_case.refresh_from_db()
    assert note.reference.startswith("OLA-")
    assert note.handover_state == HandoverState.SENT
    assert open_case.status == Status.TRANSFERRED and open_case.is_open


def test_an_accepted_handover_closes_the_case(open_case: Case, officer: User) -> None:
    note = handover_send(case=open_case, other_la_name="Wirral", by=officer)
    handover_update(notification=note, to="acknowledged", by=officer)
    open_case.refresh_from_db()
    assert open_case.is_open
    handover_update(notification=note, to="accepted", by=officer)
    open_case.refresh_from_db()
    assert open_case.status == Status.CLOSED
    assert open_case.outcome == Outcome.HANDED_TO_OTHER_LA
    assert [c.to_state for c in note.handover_changes.all()] == ["sent", "acknowledged", "accepted"]
    lines = open_case.events.filter(kind=EventKind.HANDOVER_CHANGED).order_by("occurred_at", "id")
    assert [describe(e.kind, e.payload) for e in lines] == [
        "Hand-over to Wirral: sent",
        "Hand-over to Wirral: acknowledged",
        "Hand-over to Wirral: accepted",
    ]
    assert not open_case.events.filter(kind=EventKind.NOTE_ADDED).exists()


@pytest.mark.parametrize("end", ["declined", "withdrawn"])
def test_a_declined_or_withdrawn_handover_returns_the_case_to_enquiries(
    end: str, open_case: Case, officer: User
) -> None:
    note = handover_send(case=open_case, other_la_name="Wirral", by=officer)
    handover_update(notification=note, to=end, by=officer, reason="Family not found here")
    open_case.refresh_from_db()
    assert open_case.status == Status.ENQUIRIES


def test_declining_needs_a_reason(open_case: Case, officer: User) -> None:
    note = handover_send(case=open_case, other_la_name="Wirral", by=officer)
    with pytest.raises(IntakeError, match="reason"):
        handover_update(notification=note, to="declined", by=officer)
    note.refresh_from_db()
    assert note.handover_state == HandoverState.SENT


@pytest.mark.parametrize("end", ["accepted", "declined", "withdrawn"])
def test_a_finished_handover_cannot_move_again(end: str, open_case: Case, officer: User) -> None:
    note = handover_send(case=open_case, other_la_name="Wirral", by=officer)
    handover_update(notification=note, to=end, by=officer, reason="r")
    with pytest.raises(IntakeError, match="cannot move"):
        handover_update(notification=note, to="acknowledged", by=officer)


def test_only_one_handover_waits_at_a_time(open_case: Case, officer: User) -> None:
    handover_send(case=open_case, other_la_name="Wirral", by=officer)
    with pytest.raises(IntakeError, match="already has a hand-over"):
        handover_send(case=open_case, other_la_name="Knowsley", by=officer)


def test_the_receiving_authority_may_accept_but_not_withdraw(
    open_case: Case, officer: User, outsider: User
) -> None:
    note = handover_send(case=open_case, other_la_name="Wirral", other_la_code="344", by=officer)
    with pytest.raises(IntakeError):
        handover_update(notification=note, to="withdrawn", by=outsider)
    handover_update(notification=note, to="accepted", by=outsider)
    open_case.refresh_from_db()
    assert open_case.status == Status.CLOSED
    # The reply is on the timeline in the receiving authority's name; the closure is the team's.
    line = open_case.events.filter(kind=EventKind.HANDOVER_CHANGED).latest("id")
    assert line.actor == outsider and line.payload["state_label"] == "Accepted"
    assert open_case.events.get(kind=EventKind.CLOSED).actor == officer


def test_a_handover_on_a_case_that_cannot_be_transferred_still_writes_its_line(
    officer: User,
) -> None:
    case = CaseFactory(status=Status.PLACED)
    handover_send(case=case, other_la_name="Wirral", by=officer)
    line = case.events.get(kind=EventKind.HANDOVER_CHANGED)
    assert line.payload["state_label"] == "Sent" and line.actor == officer


def test_another_authority_cannot_answer_a_handover_not_sent_to_it(
    open_case: Case, officer: User, outsider: User
) -> None:
    note = handover_send(case=open_case, other_la_name="Knowsley", other_la_code="340", by=officer)
    with pytest.raises(IntakeError):
        handover_update(notification=note, to="accepted", by=outsider)
