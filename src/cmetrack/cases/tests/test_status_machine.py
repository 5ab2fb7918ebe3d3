"""The case status machine (DOMAIN.md §5, ARCHITECTURE.md "Status is a state machine").

The table below is written out again on purpose rather than read from status.TRANSITIONS: a change
to the machine must be a deliberate change to this test too.
"""

import datetime
import itertools

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent, Outcome
from cmetrack.cases.services import (
    CaseError,
    ReferralData,
    case_change_status,
    case_close,
    case_open,
    case_reopen,
)
from cmetrack.cases.status import (
    OPEN_STATUSES,
    Status,
    TransitionError,
    allowed_next,
    check_transition,
)
from cmetrack.children.models import Child
from cmetrack.children.services import ChildData
from cmetrack.testing.factories import CaseFactory, ChildFactory, reason

S = Status
EXPECTED_ALLOWED: dict[Status, set[Status]] = {
    S.REFERRED: {S.ENQUIRIES, S.LOCATED, S.PLACED, S.TRANSFERRED, S.CLOSED},
    S.ENQUIRIES: {S.LOCATED, S.PLACED, S.TRANSFERRED, S.UNTRACED, S.CLOSED},
    S.LOCATED: {S.ENQUIRIES, S.PLACED, S.TRANSFERRED, S.CLOSED},
    S.PLACED: {S.ENQUIRIES, S.LOCATED, S.CLOSED},
    S.TRANSFERRED: {S.ENQUIRIES, S.CLOSED},
    S.UNTRACED: {S.ENQUIRIES, S.LOCATED, S.PLACED, S.CLOSED},
    S.CLOSED: set(),
}
ALL_PAIRS = list(itertools.product(Status, Status))
ALLOWED_PAIRS = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED_ALLOWED[a]]
FORBIDDEN_PAIRS = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED_ALLOWED[a]]
# What "change status" may do: every allowed move except closing, which needs an outcome.
# Through "change status": closing needs an outcome (case_close) and untraced needs a manager's
# decision that enquiries are exhausted (case_enquiries_exhausted), so both are refused there.
ALLOWED_CHANGES = [(a, b) for a, b in ALLOWED_PAIRS if b not in {S.CLOSED, S.UNTRACED}]
REFUSED_CHANGES = FORBIDDEN_PAIRS + [
    (a, b) for a, b in ALLOWED_PAIRS if b in {S.CLOSED, S.UNTRACED}
]


def pair_id(pair: tuple[Status, Status]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def make_case(status: Status, **kwargs: object) -> Case:
    """A case already in `status` (set up directly: the services are what is under test)."""
    if status == Status.CLOSED:
        kwargs.setdefault("outcome", Outcome.ON_ROLL_THIS_LA)
        kwargs.setdefault("closed_on", timezone.localdate())
    return CaseFactory(status=status, **kwargs)


def referral_for(child: Child) -> ReferralData:
    return ReferralData(
        child=ChildData(forenames=child.forenames, surname=child.surname),
        primary_reason=reason(),
        referral_source="school",
        referral_date=timezone.localdate() - datetime.timedelta(days=3),
    )


def written_counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), LogEntry.objects.count()


# --- the table itself ------------------------------------------------------------------------


def test_the_product_of_statuses_is_enumerated_in_full() -> None:
    assert len(ALLOWED_PAIRS) + len(FORBIDDEN_PAIRS) == len(Status) ** 2 == 49


def test_every_open_status_may_close_and_closed_leads_nowhere() -> None:
    for status in OPEN_STATUSES:
        assert Status.CLOSED in allowed_next(status)
    assert allowed_next(Status.CLOSED) == frozenset()
    assert set(OPEN_STATUSES) == set(Status) - {Status.CLOSED}


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_allowed_next_matches_the_agreed_table(status: Status) -> None:
    assert set(allowed_next(status)) == EXPECTED_ALLOWED[status]


@pytest.mark.parametrize(("current", "new"), ALLOWED_PAIRS, ids=map(pair_id, ALLOWED_PAIRS))
def test_allowed_transition_passes_the_check(current: Status, new: Status) -> None:
    check_transition(current, new)
    check_transition(current.value, new.value)  # plain strings, as stored and posted


@pytest.mark.parametrize(("current", "new"), FORBIDDEN_PAIRS, ids=map(pair_id, FORBIDDEN_PAIRS))
def test_forbidden_transition_raises_with_a_message_naming_the_problem(
    current: Status, new: Status
) -> None:
    with pytest.raises(TransitionError) as raised:
        check_transition(current, new)
    message = str(raised.value)
    if current == new:
        assert message == f"The case is already {current.label.lower()}."
    elif current == Status.CLOSED:
        assert "reopened" in message and "reason" in message
    else:
        assert message == (
            f"A case cannot move from {current.label.lower()} to {new.label.lower()}."
        )


def test_an_unknown_status_is_not_a_transition() -> None:
    with pytest.raises(ValueError):
        check_transition("referred", "lost")
    with pytest.raises(ValueError):
        check_transition("lost", "referred")


# --- through the service ---------------------------------------------------------------------


@pytest.mark.parametrize(("current", "new"), ALLOWED_CHANGES, ids=map(pair_id, ALLOWED_CHANGES))
def test_change_status_makes_an_allowed_move_with_one_event_and_an_audit_entry(
    officer: User, current: Status, new: Status
) -> None:
    case = make_case(current)
    events_before = case.events.count()

    case_change_status(case=case, to=new, by=officer, note="  Spoke to the family.  ")

    case.refresh_from_db()
    assert case.status == new
    assert case.events.count() == events_before + 1
    event = case.events.get(kind=EventKind.STATUS_CHANGED)
    assert event.actor == officer
    assert event.payload["from"] == current.value
    assert event.payload["to"] == new.value
    assert event.payload["from_label"] == current.label
    assert event.payload["to_label"] == new.label
    assert event.payload["note"] == "Spoke to the family."
    entry = LogEntry.objects.get_for_object(case).latest("timestamp")
    assert entry.actor == officer
    assert "status" in entry.changes_dict


@pytest.mark.parametrize(("current", "new"), REFUSED_CHANGES, ids=map(pair_id, REFUSED_CHANGES))
def test_change_status_refuses_a_forbidden_move_and_writes_nothing(
    officer: User, current: Status, new: Status
) -> None:
    case = make_case(current)
    before = written_counts()

    with pytest.raises(TransitionError) as raised:
        case_change_status(case=case, to=new, by=officer)

    assert str(raised.value)
    case.refresh_from_db()
    assert case.status == current
    assert written_counts() == before
    assert not case.events.filter(kind=EventKind.STATUS_CHANGED).exists()


@pytest.mark.parametrize("current", sorted(OPEN_STATUSES), ids=lambda s: s.value)
def test_change_status_to_closed_is_refused_because_closing_needs_an_outcome(
    officer: User, current: Status
) -> None:
    case = make_case(current)
    before = written_counts()

    with pytest.raises(TransitionError, match="outcome"):
        case_change_status(case=case, to=Status.CLOSED, by=officer)

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (current, "", None)
    assert written_counts() == before


def test_change_status_reads_the_current_status_from_the_database_not_a_stale_object(
    officer: User,
) -> None:
    case = make_case(Status.ENQUIRIES)
    stale = Case.objects.get(pk=case.pk)
    case_change_status(case=case, to=Status.LOCATED, by=officer)

    # The stale object still says enquiries (-> enquiries would be refused as "already");
    # the database says located, from which enquiries is allowed.
    case_change_status(case=stale, to=Status.ENQUIRIES, by=officer)

    case.refresh_from_db()
    assert case.status == Status.ENQUIRIES


@pytest.mark.parametrize("outcome", ["", None])
def test_closing_requires_an_outcome(officer: User, outcome: str | None) -> None:
    case = make_case(Status.ENQUIRIES)
    before = written_counts()

    with pytest.raises(CaseError, match="outcome"):
        case_close(case=case, outcome=outcome, by=officer)  # type: ignore[arg-type]

    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (Status.ENQUIRIES, "", None)
    assert written_counts() == before


def test_closing_an_already_closed_case_is_refused(officer: User) -> None:
    case = make_case(Status.CLOSED, outcome=Outcome.DIED)
    before = written_counts()

    with pytest.raises(TransitionError, match="already closed"):
        case_close(case=case, outcome=Outcome.NOT_CME, by=officer)

    case.refresh_from_db()
    assert case.outcome == Outcome.DIED
    assert written_counts() == before


@pytest.mark.parametrize("reason_text", ["", "   ", "\n\t"])
def test_reopening_requires_a_reason(officer: User, reason_text: str) -> None:
    case = make_case(Status.CLOSED)
    before = written_counts()

    with pytest.raises(CaseError, match="why"):
        case_reopen(case=case, reason=reason_text, by=officer)

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert written_counts() == before


@pytest.mark.parametrize("current", sorted(OPEN_STATUSES), ids=lambda s: s.value)
def test_reopening_an_open_case_is_refused(officer: User, current: Status) -> None:
    case = make_case(current)
    with pytest.raises(CaseError, match="Only a closed case"):
        case_reopen(case=case, reason="New information", by=officer)


def test_reopening_is_refused_while_the_child_has_another_open_case(officer: User) -> None:
    child = ChildFactory()
    old = make_case(Status.CLOSED, child=child)
    current = make_case(Status.ENQUIRIES, child=child)
    before = written_counts()

    with pytest.raises(CaseError, match="another open case"):
        case_reopen(case=old, reason="Family back in the area", by=officer)

    old.refresh_from_db()
    current.refresh_from_db()
    assert (old.status, current.status) == (Status.CLOSED, Status.ENQUIRIES)
    assert written_counts() == before


def test_only_one_of_a_childs_closed_cases_can_be_reopened(officer: User) -> None:
    child = ChildFactory()
    first = make_case(Status.CLOSED, child=child)
    second = make_case(Status.CLOSED, child=child)

    case_reopen(case=first, reason="Seen at the GP surgery", by=officer)
    with pytest.raises(CaseError, match="another open case"):
        case_reopen(case=second, reason="Seen at the GP surgery", by=officer)

    assert child.cases.exclude(status=Status.CLOSED).get() == first


@pytest.mark.parametrize("new", list(Status), ids=lambda s: s.value)
def test_a_closed_case_cannot_be_moved_back_open_by_change_status(
    officer: User, new: Status
) -> None:
    child = ChildFactory()
    closed = make_case(Status.CLOSED, child=child)
    before = written_counts()

    with pytest.raises(TransitionError):
        case_change_status(case=closed, to=new, by=officer)

    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    assert written_counts() == before


def test_a_case_cannot_be_opened_beside_an_open_one(officer: User) -> None:
    child = ChildFactory()
    existing = make_case(Status.LOCATED, child=child)
    before = written_counts()

    with pytest.raises(CaseError, match=existing.reference):
        case_open(child=child, data=referral_for(child), by=officer)

    assert written_counts() == before


# --- random sequences through the services ----------------------------------------------------

CASE_SLOTS = 6
action = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 1)),
    st.tuples(st.just("status"), st.integers(0, CASE_SLOTS - 1), st.sampled_from(list(Status))),
    st.tuples(
        st.just("close"),
        st.integers(0, CASE_SLOTS - 1),
        st.sampled_from(["", *Outcome.values]),
    ),
    st.tuples(
        st.just("reopen"), st.integers(0, CASE_SLOTS - 1), st.sampled_from(["", "  ", "Found"])
    ),
)
EXPECTED_KIND = {
    "open": EventKind.OPENED,
    "status": EventKind.STATUS_CHANGED,
    "close": EventKind.CLOSED,
    "reopen": EventKind.REOPENED,
}


def assert_register_invariants(children: list[Child]) -> None:
    for case in Case.objects.filter(child__in=children):
        assert case.status in Status.values
        if case.status == Status.CLOSED:
            assert case.outcome in Outcome.values
            assert case.closed_on is not None
        else:
            assert case.outcome == ""
            assert case.closed_on is None
    for child in children:
        assert child.cases.exclude(status=Status.CLOSED).count() <= 1


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=st.lists(action, max_size=20))
def test_random_sequences_of_changes_never_break_the_register_invariants(
    officer: User, actions: list[tuple]
) -> None:
    with transaction.atomic():
        children = [ChildFactory(), ChildFactory()]
        cases = [case_open(child=c, data=referral_for(c), by=officer) for c in children]

        for step in actions:
            kind = step[0]
            events_before = CaseEvent.objects.count()
            log_ids_before = set(LogEntry.objects.values_list("id", flat=True))
            snapshot = list(Case.objects.order_by("pk").values())

            if kind == "open":
                child = children[step[1]]
                should_pass = not child.cases.exclude(status=Status.CLOSED).exists()
                target = None
            else:
                target = cases[step[1] % len(cases)]
                target.refresh_from_db()
                current = Status(target.status)
                if kind == "status":
                    new = step[2]
                    should_pass = (
                        new not in {Status.CLOSED, Status.UNTRACED}
                        and new in EXPECTED_ALLOWED[current]
                    )
                elif kind == "close":
                    # The factory's child (born 2015) is of school age, and no closing note is
                    # given: over-age and moved abroad (which needs evidence) are refused.
                    should_pass = current != Status.CLOSED and step[2] not in {
                        "",
                        Outcome.OVER_AGE,
                        Outcome.MOVED_ABROAD,
                    }
                else:
                    others_open = (
                        target.child.cases.exclude(pk=target.pk)
                        .exclude(status=Status.CLOSED)
                        .exists()
                    )
                    should_pass = (
                        current == Status.CLOSED and step[2].strip() != "" and not others_open
                    )

            try:
                if kind == "open":
                    target = case_open(child=child, data=referral_for(child), by=officer)
                elif kind == "status":
                    assert target is not None  # every kind but "open" picked a case above
                    case_change_status(case=target, to=step[2], by=officer)
                elif kind == "close":
                    assert target is not None
                    case_close(case=target, outcome=step[2], by=officer)
                else:
                    assert target is not None
                    case_reopen(case=target, reason=step[2], by=officer)
            except (CaseError, TransitionError):
                accepted = False
            else:
                accepted = True

            event(f"{kind} {'accepted' if accepted else 'refused'}")
            assert accepted == should_pass, step
            new_events = CaseEvent.objects.count() - events_before
            new_logs = LogEntry.objects.exclude(id__in=log_ids_before)
            if accepted:
                assert new_events == 1, step
                assert target is not None
                written = CaseEvent.objects.latest("id")
                assert written.case_id == target.pk
                assert written.kind == EXPECTED_KIND[kind]
                assert written.actor == officer
                assert new_logs.exists()
                assert all(entry.actor == officer for entry in new_logs)
                if kind == "open":
                    cases.append(target)
            else:
                assert new_events == 0, step
                assert not new_logs.exists(), step
                assert list(Case.objects.order_by("pk").values()) == snapshot, step

            assert_register_invariants(children)

        transaction.set_rollback(True)
