"""Case services: recording referrals, and every change an officer makes to a case afterwards."""

import contextvars
import datetime
import re
from collections.abc import Callable

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind, describe
from cmetrack.cases.models import Case, CaseEvent, Outcome, RiskLevel, new_case_reference
from cmetrack.cases.services import (
    CaseError,
    ReferralData,
    case_add_note,
    case_assign,
    case_change_status,
    case_close,
    case_flag_add,
    case_flag_remove,
    case_reopen,
    case_set_risk,
    casework,
    referral_record,
)
from cmetrack.cases.status import Status
from cmetrack.children.models import Child, ChildFlag, FormerUpn
from cmetrack.children.services import AddressData, ChildData
from cmetrack.core.upn import upn_check_letter
from cmetrack.testing.factories import CaseFactory, ChildFactory, UserFactory, flag_type, reason

TODAY = timezone.localdate
DOB = datetime.date(2014, 9, 2)
REFERENCE = re.compile(r"^CME-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


pytestmark = pytest.mark.django_db


def upn(serial: int) -> str:
    body = f"3432001{serial:05d}"
    return upn_check_letter(body) + body


def referral(
    *,
    forenames: str = "Amelia",
    surname: str = "Kowalski",
    date_of_birth: datetime.date | None = DOB,
    upn_text: str = "",
    referral_date: datetime.date | None = None,
    **extra: object,
) -> ReferralData:
    return ReferralData(
        child=ChildData(
            forenames=forenames,
            surname=surname,
            date_of_birth=date_of_birth,
            upn=upn_text,
            address=AddressData(line_1="4 Marsh Lane", town="Bootle", postcode="l20 4ja"),
        ),
        primary_reason=reason(),
        referral_source="school",
        referral_date=referral_date or TODAY() - datetime.timedelta(days=10),
        **extra,  # type: ignore[arg-type]
    )


def counts() -> dict[str, int]:
    return {
        "children": Child.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "flags": ChildFlag.objects.count(),
        "log": LogEntry.objects.count(),
    }


def new_log_entries(since: int) -> list[LogEntry]:
    return list(LogEntry.objects.filter(id__gt=since).order_by("id"))


def last_log_id() -> int:
    return LogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def open_case(user: User, **kwargs: object) -> Case:
    return referral_record(data=referral(**kwargs), by=user).case  # type: ignore[arg-type]


# --- recording a referral --------------------------------------------------------------------


def test_referral_for_a_new_child_creates_the_child_the_case_and_an_opened_event(
    officer: User,
) -> None:
    before = counts()

    result = referral_record(data=referral(upn_text=upn(1)), by=officer)

    assert result.child_was_known is False
    case = result.case
    assert case.status == Status.REFERRED
    assert (case.outcome, case.closed_on, case.assigned_to) == ("", None, None)
    assert case.child.full_name == "Amelia Kowalski"
    assert case.child.upn == upn(1)
    address = case.child.current_address
    assert address is not None
    assert address.postcode == "L20 4JA"
    assert counts()["children"] == before["children"] + 1
    assert counts()["cases"] == before["cases"] + 1
    (event,) = case.events.all()
    assert event.kind == EventKind.OPENED
    assert event.actor == officer
    assert describe(event.kind, event.payload) == "Case opened from a referral by School"


def test_referral_with_flags_and_a_note_writes_them_on_the_new_case(officer: User) -> None:
    cp, lac = flag_type("child-protection-plan"), flag_type("looked-after")

    case = referral_record(
        data=referral(flags=[cp, lac], note="  Mum phoned the school.  "), by=officer
    ).case

    assert set(case.child.flags.values_list("flag_type__code", flat=True)) == {
        "child-protection-plan",
        "looked-after",
    }
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    # Both flags escalate to children's social care at once (DOMAIN.md §5).
    assert kinds == [
        "opened",
        "flag_added",
        "escalation_raised",
        "flag_added",
        "escalation_raised",
        "note_added",
    ]
    assert case.escalations.filter(resolved_at__isnull=True).count() == 2
    assert case.events.get(kind="note_added").payload["text"] == "Mum phoned the school."


def test_referral_does_not_duplicate_a_flag_the_known_child_already_has(
    officer: User, manager: User
) -> None:
    first = open_case(officer, flags=[flag_type("young-carer")])
    case_close(case=first, outcome=Outcome.NOT_CME, by=manager)  # flagged: a manager closes

    second = referral_record(data=referral(flags=[flag_type("young-carer")]), by=officer)

    assert second.child_was_known
    assert second.case.child.flags.filter(removed_at__isnull=True).count() == 1
    assert not second.case.events.filter(kind=EventKind.FLAG_ADDED).exists()


@pytest.mark.parametrize(
    "typed", [upn(2), upn(2).lower(), f" {upn(2)[:4]} {upn(2)[4:8]} {upn(2)[8:]} "]
)
def test_referral_reuses_the_child_known_by_the_same_upn(officer: User, typed: str) -> None:
    known = ChildFactory(forenames="Jakub", surname="Nowak", upn=upn(2))

    result = referral_record(
        data=referral(forenames="Kuba", surname="Nowak", upn_text=typed), by=officer
    )

    assert result.child_was_known is True
    assert result.case.child == known
    assert Child.objects.count() == 1


def test_referral_reuses_the_child_known_by_a_former_upn(officer: User) -> None:
    known = ChildFactory(upn=upn(3))
    FormerUpn.objects.create(child=known, upn=upn(4))

    result = referral_record(data=referral(upn_text=upn(4).lower()), by=officer)

    assert result.child_was_known is True
    assert result.case.child == known
    assert Child.objects.count() == 1


@pytest.mark.parametrize(
    ("forenames", "surname"),
    [
        ("Amelia", "Kowalski"),
        ("amelia", "KOWALSKI"),
        ("  Amelia ", " Kowalski\t"),
        ("AMELIA\n", "kowalski "),
    ],
)
def test_referral_reuses_the_child_known_by_the_same_name_and_date_of_birth(
    officer: User, forenames: str, surname: str
) -> None:
    known = ChildFactory(forenames="Amelia", surname="Kowalski", date_of_birth=DOB)

    result = referral_record(data=referral(forenames=forenames, surname=surname), by=officer)

    assert result.child_was_known is True
    assert result.case.child == known
    assert Child.objects.count() == 1


def test_name_match_ignores_case_in_accented_names_too(officer: User) -> None:
    # Officers type names as heard on the phone; "ZOË" and "Zoë" are the same child.
    known = ChildFactory(forenames="Zoë", surname="Łukasiewicz", date_of_birth=DOB)

    result = referral_record(data=referral(forenames="ZOË", surname="łukasiewicz"), by=officer)

    assert result.child_was_known is True
    assert result.case.child == known


@pytest.mark.parametrize(
    "difference",
    [
        {"date_of_birth": datetime.date(2014, 9, 3)},
        {"forenames": "Amelie"},
        {"surname": "Kowalska"},
        {"date_of_birth": None},
    ],
)
def test_referral_creates_a_new_child_when_name_or_date_of_birth_differ(
    officer: User, difference: dict[str, object]
) -> None:
    ChildFactory(forenames="Amelia", surname="Kowalski", date_of_birth=DOB)

    result = referral_record(data=referral(**difference), by=officer)  # type: ignore[arg-type]

    assert result.child_was_known is False
    assert Child.objects.count() == 2


def test_second_referral_while_a_case_is_open_is_refused_naming_the_open_case(
    officer: User,
) -> None:
    existing = open_case(officer, upn_text=upn(5))
    before = counts()

    with pytest.raises(CaseError) as raised:
        referral_record(data=referral(upn_text=upn(5)), by=officer)

    assert existing.reference in str(raised.value)
    assert "already has an open case" in str(raised.value)
    assert counts() == before


def test_refused_referral_for_a_new_child_leaves_no_child_behind(officer: User) -> None:
    before = counts()

    with pytest.raises(CaseError, match="future"):
        referral_record(
            data=referral(upn_text=upn(6), referral_date=TODAY() + datetime.timedelta(days=1)),
            by=officer,
        )

    assert counts() == before
    assert not Child.objects.filter(upn=upn(6)).exists()


def test_referral_dated_today_is_accepted(officer: User) -> None:
    case = open_case(officer, referral_date=TODAY())
    assert case.referral_date == TODAY()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_only_the_la_team_can_record_a_referral_and_nothing_is_written_otherwise(
    request: pytest.FixtureRequest, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    before = counts()

    with pytest.raises(CaseError, match="local authority"):
        referral_record(data=referral(upn_text=upn(7)), by=user)

    assert counts() == before


def test_a_deactivated_officer_cannot_record_a_referral(officer: User) -> None:
    officer.is_active = False
    officer.save()
    before = counts()

    with pytest.raises(CaseError):
        referral_record(data=referral(), by=officer)

    assert counts() == before


@pytest.mark.parametrize("persona", ["officer", "manager", "admin_user"])
def test_every_la_role_can_record_a_referral(request: pytest.FixtureRequest, persona: str) -> None:
    user = request.getfixturevalue(persona)
    assert open_case(user).events.get().actor == user


# --- case references -------------------------------------------------------------------------


def test_case_references_look_like_cme_xxxx_xxxx(officer: User) -> None:
    case = open_case(officer)
    assert REFERENCE.match(case.reference)
    for _ in range(200):
        assert REFERENCE.match(new_case_reference())


def test_case_references_are_not_sequential(officer: User) -> None:
    made = []
    for n in range(6):
        made.append(open_case(officer, forenames=f"Child{n}").reference)
    references = made + [new_case_reference() for _ in range(30)]
    assert len(set(references)) == len(references)
    assert references != sorted(references)


# --- assigning -------------------------------------------------------------------------------


def test_assigning_writes_an_assigned_event_with_the_officers_name(
    officer: User, manager: User
) -> None:
    case = open_case(manager)

    case_assign(case=case, officer=officer, by=manager)

    case.refresh_from_db()
    assert case.assigned_to == officer
    event = case.events.get(kind=EventKind.ASSIGNED)
    assert event.actor == manager
    assert event.payload["to_name"] == officer.get_full_name()
    assert event.payload["to"] == officer.public_id.hex
    assert describe(event.kind, event.payload) == f"Assigned to {officer.get_full_name()}"


def test_unassigning_writes_an_unassigned_event(officer: User, manager: User) -> None:
    case = open_case(manager)
    case_assign(case=case, officer=officer, by=manager)

    case_assign(case=case, officer=None, by=manager)

    case.refresh_from_db()
    assert case.assigned_to is None
    event = case.events.filter(kind=EventKind.ASSIGNED).latest("id")
    assert describe(event.kind, event.payload) == "Unassigned"


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_a_case_cannot_be_assigned_to_someone_outside_the_la_team(
    request: pytest.FixtureRequest, manager: User, persona: str
) -> None:
    case = open_case(manager)
    outside = request.getfixturevalue(persona)  # made (and audited) before the counting starts
    before = counts()

    with pytest.raises(CaseError, match="CME team"):
        case_assign(case=case, officer=outside, by=manager)

    case.refresh_from_db()
    assert case.assigned_to is None
    assert counts() == before


def test_a_case_cannot_be_assigned_to_a_deactivated_officer(officer: User, manager: User) -> None:
    leaver = UserFactory(role=User.Role.CME_OFFICER, organisation=officer.organisation)
    leaver.is_active = False
    leaver.save()
    case = open_case(manager)

    with pytest.raises(CaseError):
        case_assign(case=case, officer=leaver, by=manager)


def test_assigning_to_the_current_officer_again_is_refused(officer: User, manager: User) -> None:
    case = open_case(manager)
    case_assign(case=case, officer=officer, by=manager)
    before = counts()

    with pytest.raises(CaseError, match="already assigned"):
        case_assign(case=case, officer=officer, by=manager)

    assert counts() == before


def test_a_closed_case_cannot_be_assigned(officer: User, manager: User) -> None:
    case = open_case(manager)
    case_close(
        case=case,
        outcome=Outcome.MOVED_ABROAD,
        note="Confirmed by the new school in Madrid by email on 3 November",
        by=manager,
    )

    with pytest.raises(CaseError, match="closed"):
        case_assign(case=case, officer=officer, by=manager)


# --- notes -----------------------------------------------------------------------------------


def test_a_note_is_written_on_the_timeline_trimmed(officer: User) -> None:
    case = open_case(officer)

    event = case_add_note(
        case=case, text="  Home visit: no answer, neighbour says moved.\n", by=officer
    )

    assert event.case == case
    assert event.kind == EventKind.NOTE_ADDED
    assert event.actor == officer
    assert event.payload == {"text": "Home visit: no answer, neighbour says moved."}


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_a_blank_note_is_refused(officer: User, text: str) -> None:
    case = open_case(officer)
    before = counts()

    with pytest.raises(CaseError, match="Enter the note"):
        case_add_note(case=case, text=text, by=officer)

    assert counts() == before


# --- flags -----------------------------------------------------------------------------------


def test_adding_a_flag_sets_it_on_the_child_and_writes_the_event_on_the_case(
    officer: User,
) -> None:
    case = open_case(officer)

    flag = case_flag_add(case=case, flag_type=flag_type("looked-after"), by=officer, note="LAC")

    assert flag.child == case.child
    assert (flag.added_by, flag.note, flag.removed_at) == (officer, "LAC", None)
    event = case.events.get(kind=EventKind.FLAG_ADDED)
    assert event.actor == officer
    assert event.payload == {"flag": "Looked after child", "code": "looked-after"}
    assert describe(event.kind, event.payload) == "Flag added: Looked after child"


def test_a_duplicate_active_flag_is_refused_as_a_case_error(officer: User) -> None:
    # The flag page only catches CaseError and TransitionError: any other error is a crash.
    case = open_case(officer)
    case_flag_add(case=case, flag_type=flag_type(), by=officer)
    before = counts()

    with pytest.raises(CaseError, match="already has the flag"):
        case_flag_add(case=case, flag_type=flag_type(), by=officer)

    assert counts() == before


def test_a_flag_can_be_removed_and_then_added_again(officer: User) -> None:
    case = open_case(officer)
    flag = case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)

    case_flag_remove(case=case, flag=flag, by=officer)
    again = case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)

    flag.refresh_from_db()
    assert flag.removed_at is not None
    assert again.pk != flag.pk and again.removed_at is None
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["flag_added", "flag_removed", "flag_added"]
    removed = case.events.get(kind=EventKind.FLAG_REMOVED)
    assert removed.actor == officer
    assert describe(removed.kind, removed.payload) == "Flag removed: Young carer"


def test_removing_another_childs_flag_is_refused(officer: User) -> None:
    case = open_case(officer)
    other_case = open_case(officer, forenames="Other", upn_text=upn(8))
    flag = case_flag_add(case=other_case, flag_type=flag_type(), by=officer)
    before = counts()

    with pytest.raises(CaseError, match="another child"):
        case_flag_remove(case=case, flag=flag, by=officer)

    flag.refresh_from_db()
    assert flag.removed_at is None
    assert counts() == before


def test_removing_a_flag_twice_is_refused_as_a_case_error(officer: User) -> None:
    case = open_case(officer)
    flag = case_flag_add(case=case, flag_type=flag_type(), by=officer)
    case_flag_remove(case=case, flag=flag, by=officer)
    before = counts()

    with pytest.raises(CaseError, match="already removed"):
        case_flag_remove(case=case, flag=flag, by=officer)

    assert counts() == before


# --- risk ------------------------------------------------------------------------------------


def test_changing_the_risk_writes_an_event_with_both_levels(officer: User) -> None:
    case = open_case(officer)
    assert case.risk_level == RiskLevel.MEDIUM

    case_set_risk(case=case, risk_level=RiskLevel.HIGH, by=officer)

    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH
    event = case.events.get(kind=EventKind.RISK_CHANGED)
    assert event.actor == officer
    assert describe(event.kind, event.payload) == "Risk changed from Medium to High"


def test_setting_the_same_risk_again_is_refused(officer: User) -> None:
    case = open_case(officer)
    before = counts()

    with pytest.raises(CaseError, match="already medium"):
        case_set_risk(case=case, risk_level="medium", by=officer)

    assert counts() == before


# --- closing and reopening -------------------------------------------------------------------


def test_closing_records_the_outcome_and_date_and_writes_a_closed_event(officer: User) -> None:
    case = open_case(officer)
    closed_on = TODAY() - datetime.timedelta(days=2)

    case_close(
        case=case,
        outcome=Outcome.ON_ROLL_OTHER_LA,
        closed_on=closed_on,
        note=" Wirral ",
        by=officer,
    )

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (
        Status.CLOSED,
        Outcome.ON_ROLL_OTHER_LA,
        closed_on,
    )
    event = case.events.get(kind=EventKind.CLOSED)
    assert event.actor == officer
    assert event.payload["outcome"] == "on_roll_elsewhere"
    assert event.payload["closed_on"] == closed_on.isoformat()
    assert event.payload["note"] == "Wirral"
    assert describe(event.kind, event.payload) == (
        "Case closed: On roll in another authority (confirmed)"
    )


def test_closing_without_a_date_closes_today(officer: User) -> None:
    case = open_case(officer)
    case_close(case=case, outcome=Outcome.DUPLICATE, by=officer)
    case.refresh_from_db()
    assert case.closed_on == TODAY()


def test_closing_on_the_referral_date_is_allowed(officer: User) -> None:
    case = open_case(officer)
    case_close(case=case, outcome=Outcome.NOT_CME, closed_on=case.referral_date, by=officer)
    case.refresh_from_db()
    assert case.closed_on == case.referral_date


@pytest.mark.parametrize(
    ("days_from_today", "message"),
    [(1, "future"), (-11, "before the referral date")],
)
def test_closing_date_must_be_between_referral_and_today(
    officer: User, days_from_today: int, message: str
) -> None:
    case = open_case(officer)  # referred ten days ago
    before = counts()

    with pytest.raises(CaseError, match=message):
        case_close(
            case=case,
            outcome=Outcome.NOT_CME,
            closed_on=TODAY() + datetime.timedelta(days=days_from_today),
            by=officer,
        )

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (Status.REFERRED, "", None)
    assert counts() == before


def test_reopening_clears_the_outcome_and_closure_date(officer: User) -> None:
    case = open_case(officer)
    case_close(
        case=case,
        outcome=Outcome.MOVED_ABROAD,
        note="Confirmed by the new school in Madrid by email on 3 November",
        by=officer,
    )

    case_reopen(case=case, reason="  Seen back at the old address ", by=officer)

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (Status.ENQUIRIES, "", None)
    event = case.events.get(kind=EventKind.REOPENED)
    assert event.actor == officer
    assert event.payload == {
        "reason": "Seen back at the old address",
        "previous_outcome": "Moved abroad (confirmed)",
    }


def test_a_child_can_be_referred_again_once_their_case_is_closed(officer: User) -> None:
    first = open_case(officer, upn_text=upn(9))
    case_close(case=first, outcome=Outcome.ON_ROLL_THIS_LA, by=officer)

    second = referral_record(data=referral(upn_text=upn(9)), by=officer)

    assert second.child_was_known
    assert second.case.child == first.child
    assert second.case != first


# --- the audit log: every change names who made it -------------------------------------------

CaseChange = Callable[[Case, User, User], object]


def _status(case: Case, by: User, other: User) -> object:
    return case_change_status(case=case, to=Status.ENQUIRIES, by=by)


def _assign(case: Case, by: User, other: User) -> object:
    return case_assign(case=case, officer=other, by=by)


def _risk(case: Case, by: User, other: User) -> object:
    return case_set_risk(case=case, risk_level=RiskLevel.LOW, by=by)


def _close(case: Case, by: User, other: User) -> object:
    return case_close(case=case, outcome=Outcome.NOT_CME, by=by)


def _reopen(case: Case, by: User, other: User) -> object:
    case_close(case=case, outcome=Outcome.NOT_CME, by=other)
    return case_reopen(case=case, reason="Referred in error was wrong", by=by)


CASE_CHANGES = {
    "status": _status,
    "assign": _assign,
    "risk": _risk,
    "close": _close,
    "reopen": _reopen,
}


@pytest.mark.parametrize("change", CASE_CHANGES.values(), ids=CASE_CHANGES.keys())
def test_every_change_to_a_case_is_audited_with_the_acting_user(
    officer: User, manager: User, change: CaseChange
) -> None:
    case = CaseFactory()
    since = last_log_id()

    change(case, manager, officer)

    entry = LogEntry.objects.get_for_object(case).latest("id")
    assert entry.id > since
    assert entry.actor == manager
    assert entry.action == LogEntry.Action.UPDATE
    event_entry = LogEntry.objects.get_for_object(case.events.latest("id")).get()
    assert event_entry.actor == manager


def test_opening_a_case_is_audited_with_the_acting_user(officer: User) -> None:
    since = last_log_id()

    case = open_case(officer)

    created = LogEntry.objects.get_for_object(case).get(action=LogEntry.Action.CREATE)
    assert created.actor == officer
    entries = new_log_entries(since)
    assert {e.content_type.model for e in entries} >= {"child", "address", "case", "caseevent"}
    assert all(e.actor == officer for e in entries)


def test_notes_and_flags_are_audited_with_the_acting_user(officer: User, manager: User) -> None:
    case = open_case(officer)
    since = last_log_id()

    note = case_add_note(case=case, text="Called the GP", by=manager)
    flag = case_flag_add(case=case, flag_type=flag_type("young-carer"), by=manager)
    case_flag_remove(case=case, flag=flag, by=manager)

    assert LogEntry.objects.get_for_object(note).get().actor == manager
    flag_entries = LogEntry.objects.get_for_object(flag)
    assert [e.action for e in flag_entries.order_by("id")] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
    ]
    entries = new_log_entries(since)
    assert len(entries) == 5  # note event; flag, its event; flag removal, its event
    assert all(e.actor == manager for e in entries)


def test_a_service_run_outside_any_request_still_names_the_actor(officer: User) -> None:
    # A fresh context holds no auditlog actor at all, as in a management command or a task.
    case = contextvars.Context().run(open_case, officer)
    contextvars.Context().run(lambda: case_change_status(case=case, to=Status.LOCATED, by=officer))

    entries = LogEntry.objects.get_for_object(case).order_by("id")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.actor == officer for e in entries)


def test_a_service_inside_a_request_names_its_own_actor_and_then_restores_the_requests(
    officer: User, manager: User
) -> None:
    def in_request() -> Case:
        with set_actor(manager):  # what AuditlogMiddleware does for the signed-in user
            case = open_case(officer)
            child = case.child
            child.first_language = "Polish"
            child.save()  # a write after the service, still inside the request
        return case

    case = contextvars.Context().run(in_request)

    assert LogEntry.objects.get_for_object(case).get().actor == officer
    child_entries = LogEntry.objects.get_for_object(case.child).order_by("id")
    assert [(e.action, e.actor) for e in child_entries] == [
        (LogEntry.Action.CREATE, officer),
        (LogEntry.Action.UPDATE, manager),
    ]


def test_a_service_that_fails_inside_a_request_leaves_the_requests_actor_in_place(
    officer: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = open_case(officer)

    def failing_event(*args: object, **kwargs: object) -> CaseEvent:
        raise RuntimeError("database went away")

    def in_request() -> None:
        with set_actor(manager):
            with monkeypatch.context() as patched:
                patched.setattr(casework, "event_write", failing_event)
                with pytest.raises(RuntimeError):
                    case_add_note(case=case, text="Lost note", by=officer)
            child = case.child
            child.first_language = "Romanian"
            child.save()

    contextvars.Context().run(in_request)

    update = LogEntry.objects.get_for_object(case.child).latest("id")
    assert update.action == LogEntry.Action.UPDATE
    assert update.actor == manager
