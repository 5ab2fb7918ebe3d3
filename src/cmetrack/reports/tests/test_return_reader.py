"""The return's reader (reports.history.case_timelines) and its one-child-once rule (issue 10).

The reader streams the cases and their timeline events in case order and merges them, so the
test that matters is that every case still gets exactly its own changes, in the order they were
recorded, however the events of different cases interleave: checked against each case's events
read one case at a time through the ORM."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.cases.status import Status
from cmetrack.children.models import Child
from cmetrack.core.census import ChangeRow
from cmetrack.reports.history import TRACKED, CaseTimeline, case_timelines
from cmetrack.reports.selectors import statutory_return
from cmetrack.testing.factories import CaseFactory, ChildFactory, reason

CENSUS = date(2026, 10, 1)
OPEN_SINCE = date(2025, 9, 1)
STATUSES = [s.value for s in Status]
LABELS = [str(label) for _, label in Status.choices]
REASONS = ["whereabouts-unknown", "awaiting-place", "other"]


def recorded(case: Case) -> list[ChangeRow]:
    """One case's changes, read on their own: the reader's rules, written out a second way."""
    by_label = {str(label): value for value, label in Status.choices}
    field = {kind.value: name for kind, name in TRACKED.items()}
    changes: list[ChangeRow] = []
    closure_recorded = False
    for event in case.events.filter(kind__in=list(TRACKED)).order_by("occurred_at", "id"):
        day = timezone.localtime(event.occurred_at).date()  # the London day it was recorded
        payload = event.payload
        if event.kind == EventKind.CLOSED:
            closure_recorded = True
            try:
                on = date.fromisoformat(payload.get("closed_on") or "")
            except ValueError:
                on = day
            changes.append((on, "status", by_label.get(payload.get("from_label", "")), "closed"))
        elif event.kind == EventKind.REOPENED:
            changes.append((day, "status", "closed", "enquiries"))
        elif payload.get("to"):
            changes.append((day, field[event.kind], payload.get("from") or None, payload["to"]))
    if case.status == Status.CLOSED and case.closed_on and not closure_recorded:
        changes.append((case.closed_on, "status", "referred", "closed"))
    return changes


def expected(case: Case) -> CaseTimeline:
    agreed = []
    for event in case.events.filter(kind=EventKind.ENQUIRIES_EXHAUSTED):
        with contextlib.suppress(ValueError):
            agreed.append(date.fromisoformat(event.payload.get("off_roll_date") or ""))
    return CaseTimeline(
        case_id=case.pk,
        child_id=case.child_id,
        sex=case.child.sex,
        date_of_birth=case.child.date_of_birth,
        referral_date=case.referral_date,
        date_last_attended=case.date_last_attended,
        off_roll_on=max(agreed, default=None),
        current=(case.status, case.category, case.primary_reason.code),
        changes=recorded(case),
    )


referral_days = st.dates(date(2025, 3, 1), date(2026, 11, 30))
cases_strategy = st.lists(
    st.tuples(
        referral_days,
        st.sampled_from(STATUSES),
        st.sampled_from(["cme", "at_risk"]),
        st.sampled_from(REASONS),
        st.none() | referral_days,  # closed on (a closed case only)
    ),
    min_size=1,
    max_size=4,
)
# A few instants, so that events of one case and of several share one (ties go by id), and
# some near midnight, where the UTC day and the London day differ.
instants = st.sampled_from(
    [
        datetime(2025, 10, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # 28 March in London (GMT)
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # 1 July in London (BST)
        datetime(2026, 9, 30, 23, 30, tzinfo=UTC),  # the census day in London
        datetime(2026, 10, 2, 12, 0, tzinfo=UTC),
    ]
)
payloads: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    EventKind.STATUS_CHANGED: st.fixed_dictionaries(
        {}, optional={"from": st.sampled_from(STATUSES), "to": st.sampled_from([*STATUSES, ""])}
    ),
    EventKind.CATEGORY_CHANGED: st.fixed_dictionaries(
        {"to": st.sampled_from(["cme", "at_risk"])}, optional={"from": st.just("cme")}
    ),
    EventKind.PRIMARY_REASON_CHANGED: st.fixed_dictionaries(
        {"from": st.sampled_from(REASONS), "to": st.sampled_from(REASONS)}
    ),
    EventKind.CLOSED: st.fixed_dictionaries(
        {},
        optional={
            "closed_on": st.sampled_from(["2026-02-01", "2026-10-01", "31/12/2025", ""]),
            "from_label": st.sampled_from([*LABELS, "Not a status"]),
        },
    ),
    EventKind.REOPENED: st.just({"reason": "Stopped attending again"}),
    EventKind.ENQUIRIES_EXHAUSTED: st.fixed_dictionaries(
        {"off_roll_date": st.sampled_from(["2026-09-01", "2026-10-05", "not a date", ""])}
    ),
    EventKind.NOTE_ADDED: st.just({"to": "placed"}),  # not a change, whatever it says
}
events_strategy = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from(list(payloads)).flatmap(
            lambda kind: st.tuples(st.just(kind), payloads[kind])
        ),
        instants,
    ),
    max_size=14,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=cases_strategy, events=events_strategy)
def test_each_case_gets_exactly_its_own_changes_in_the_order_recorded(
    db: None,
    cases: list[tuple[date, str, str, str, date | None]],
    events: list[tuple[int, tuple[str, dict[str, Any]], datetime]],
) -> None:
    made = []
    for referred, status, category, code, closed_on in cases:
        closed = status == Status.CLOSED
        made.append(
            CaseFactory(
                referral_date=referred,
                status=status,
                category=category,
                primary_reason=reason(code),
                outcome="on_roll_here" if closed else "",
                closed_on=(closed_on or referred) if closed else None,
            )
        )
    # Inserted in the generated order: ids interleave the cases and disagree with the times.
    CaseEvent.objects.bulk_create(
        CaseEvent(case=made[index % len(made)], kind=kind, payload=payload, occurred_at=at)
        for index, (kind, payload), at in events
    )
    try:
        timelines = list(
            case_timelines(Case.objects.all(), referred_by=CENSUS, open_since=OPEN_SINCE)
        )
        in_scope = [
            case
            for case in made
            if case.referral_date <= CENSUS
            and (case.closed_on is None or case.closed_on >= OPEN_SINCE)
        ]
        assert timelines == [expected(case) for case in sorted(in_scope, key=lambda c: c.pk)]
    finally:
        Case.objects.filter(pk__in=[c.pk for c in made]).delete()
        Child.objects.filter(pk__in=[c.child_id for c in made]).delete()


def test_a_scoped_set_of_cases_reads_only_their_events(db: None) -> None:
    left_out, wanted = (
        CaseFactory(referral_date=date(2026, 9, 1)),
        CaseFactory(referral_date=date(2026, 9, 2)),
    )
    for case, to in [(left_out, "placed"), (wanted, "untraced"), (left_out, "located")]:
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.STATUS_CHANGED,
            payload={"from": "referred", "to": to},
            occurred_at=datetime(2026, 9, 20, 10, tzinfo=UTC),
        )
    [timeline] = case_timelines(Case.objects.filter(pk=wanted.pk), referred_by=CENSUS)
    assert timeline.case_id == wanted.pk
    assert timeline.changes == [(date(2026, 9, 20), "status", "referred", "untraced")]


@pytest.mark.django_db(transaction=True)
def test_a_reader_stopped_early_leaves_no_transaction_open() -> None:
    for day in (1, 2, 3):
        CaseFactory(referral_date=date(2026, 9, day))
    timelines = case_timelines(Case.objects.all(), referred_by=CENSUS)
    next(timelines)
    assert connection.in_atomic_block
    timelines.close()
    assert not connection.in_atomic_block
    # The connection is still usable, and the next reader sees every case.
    assert len(list(case_timelines(Case.objects.all(), referred_by=CENSUS))) == 3


def test_a_child_with_two_cases_counts_once_in_a_period_under_the_earlier_case(
    officer: User,
) -> None:
    child = ChildFactory(sex="F", date_of_birth=date(2014, 1, 10))
    # Missing in the winter, back at school in March; missing again from May, still on the
    # census date. Both cases count in 2025/26: the child once, with the first case's reason.
    CaseFactory(
        child=child,
        referral_date=date(2026, 1, 5),
        primary_reason=reason("whereabouts-unknown"),
        status="closed",
        outcome="on_roll_here",
        closed_on=date(2026, 3, 2),
    )
    CaseFactory(
        child=child,
        referral_date=date(2026, 5, 1),
        primary_reason=reason("awaiting-place"),
        status="enquiries",
    )
    report = statutory_return(user=officer, census=CENSUS)
    assert report is not None
    year = report.section("cme_previous_year")
    assert year.total == 1
    [reasons] = [b for b in year.breakdowns if b.title.startswith("Primary reason")]
    assert {row.label: row.count for row in reasons.rows if row.count} == {"Whereabouts unknown": 1}
    census = report.section("cme_census")
    assert census.total == 1
    [reasons] = [b for b in census.breakdowns if b.title.startswith("Primary reason")]
    assert {row.label: row.count for row in reasons.rows if row.count} == {
        "School application awaiting outcome": 1
    }
