"""Each case's history as the termly return needs it, read in a handful of queries.

The one place that turns the case timeline (CaseEvent) into core.census changes. Every change
of status, category and primary reason is written by the case services together with a timeline
event (cases/services/lifecycle.py, casework.py), so the events are the history; the audit log
holds the same changes field by field and is the place to check one case by hand.

A closure takes effect on its closure date, which an officer may give as earlier than the day
it was recorded; every other change on the (London) day it was recorded. A case closed without a
closure event (imported, or made before the timeline existed) is taken to have closed on its
closure date, open until then.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import date
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.models import Max, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate

from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.cases.status import Status
from cmetrack.core.census import ChangeRow
from cmetrack.referrals.models import DeletionReturn

TRACKED = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.CLOSED: "status",
    EventKind.REOPENED: "status",
    EventKind.CATEGORY_CHANGED: "category",
    EventKind.PRIMARY_REASON_CHANGED: "reason",
}
CHUNK = 20_000
# CLOSED events record the status they left by its label only.
_STATUS_BY_LABEL = {label: value for value, label in Status.choices}


class CaseTimeline(NamedTuple):
    """One case as the return reads it: what it is now and every change recorded to it."""

    case_id: int
    child_id: int
    sex: str
    date_of_birth: date | None
    referral_date: date
    date_last_attended: date | None
    # The day the child came off a school's roll, when the authority was told of one.
    off_roll_on: date | None
    current: tuple[str, str, str]  # status, category, primary reason code, as they are now
    changes: list[ChangeRow]  # (on, field, old, new) in the order recorded (core.census)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


_CLOSED, _REOPENED = EventKind.CLOSED.value, EventKind.REOPENED.value
_FIELD = {kind.value: field for kind, field in TRACKED.items()}
_CLOSED_STATUS, _ENQUIRIES, _REFERRED = (
    Status.CLOSED.value,
    Status.ENQUIRIES.value,
    Status.REFERRED.value,
)


def _rows(query: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a values_list query, CHUNK at a time. On PostgreSQL straight from the driver,
    which already gives dates and text: Django's per-value converters cost more than the query
    itself at half a million rows. And through a server-side cursor, so that the client holds a
    chunk rather than the whole result (50 MB less at 150,000 cases): inside a transaction, as
    case_timelines reads, PostgreSQL streams it; outside one it would copy it all out first.
    Not where the settings turn server-side cursors off (a pooler in transaction mode)."""
    connection = connections[query.db]
    if connection.vendor != "postgresql":
        yield from query.iterator(chunk_size=CHUNK)
        return
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def case_timelines(
    cases: QuerySet[Case], *, referred_by: date, open_since: date | None = None
) -> Generator[CaseTimeline, None, None]:
    """Every case in `cases` referred on or before `referred_by` (and, given `open_since`, not
    closed for good before it) with its changes, in case order: four queries whatever the
    number of cases. A case's closure date is its last one, so a case closed before
    `open_since` was never open on or after it.

    The cases and their events are read in the same order and merged as they stream, so only
    one case's changes are held at a time: at 150,000 cases, holding every case's list until
    the cases were read cost more in the garbage collector's passes over them than the reading
    did (benchmarks/statutory_return.py)."""
    wanted = cases.filter(referral_date__lte=referred_by)
    if open_since is not None:
        wanted = wanted.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=open_since))
    # Read-only: the transaction is there for the server-side cursors (see _rows), and is
    # rolled back, not committed, if the caller stops early.
    with transaction.atomic(using=wanted.db):
        yield from _timelines(wanted)


def _timelines(wanted: QuerySet[Case]) -> Iterator[CaseTimeline]:
    off_roll: dict[int, date] = dict(
        DeletionReturn.objects.filter(case__in=wanted.values("pk"))
        .values("case_id")
        .annotate(last=Max("deletion_date"))
        .values_list("case_id", "last")
    )
    exhausted = CaseEvent.objects.filter(
        case__in=wanted.values("pk"), kind=EventKind.ENQUIRIES_EXHAUSTED
    ).values_list("case_id", KT("payload__off_roll_date"))
    for case_id, text in exhausted:
        agreed = _day(text)
        if agreed is not None and (case_id not in off_roll or agreed > off_roll[case_id]):
            off_roll[case_id] = agreed

    events = _rows(
        CaseEvent.objects.filter(case__in=wanted.values("pk"), kind__in=list(TRACKED))
        .annotate(
            day=TruncDate("occurred_at"),
            old=KT("payload__from"),
            new=KT("payload__to"),
            closed_on=KT("payload__closed_on"),
            left=KT("payload__from_label"),
        )
        .order_by("case_id", "occurred_at", "id")
        .values_list("case_id", "kind", "day", "old", "new", "closed_on", "left")
    )
    rows = wanted.values_list(
        "pk",
        "child_id",
        "child__sex",
        "child__date_of_birth",
        "referral_date",
        "date_last_attended",
        "status",
        "category",
        "primary_reason__code",
        "closed_on",
    ).order_by("pk")
    event = next(events, None)
    for row in _rows(rows):
        pk, child_id, sex, dob, referred, last_attended, status, category, reason, closed_on = row
        changes: list[ChangeRow] = []
        closure_recorded = False
        # Events of a case not in `rows` (one that changed between the two reads) are passed by.
        while event is not None and event[0] <= pk:
            if event[0] == pk:
                _, kind, day, old, new, closed_text, left = event
                if kind == _CLOSED:
                    closure_recorded = True
                    left_status = _STATUS_BY_LABEL.get(left or "")
                    changes.append(
                        (_day(closed_text) or day, "status", left_status, _CLOSED_STATUS)
                    )
                elif kind == _REOPENED:
                    changes.append((day, "status", _CLOSED_STATUS, _ENQUIRIES))
                elif new:
                    changes.append((day, _FIELD[kind], old or None, new))
            event = next(events, None)
        if status == _CLOSED_STATUS and closed_on is not None and not closure_recorded:
            # Open in a status nobody recorded until then: counted, as it was a CME case.
            changes.append((closed_on, "status", _REFERRED, status))
        yield CaseTimeline(
            case_id=pk,
            child_id=child_id,
            sex=sex,
            date_of_birth=dob,
            referral_date=referred,
            date_last_attended=last_attended,
            off_roll_on=off_roll.get(pk),
            current=(status, category, reason),
            changes=changes,
        )
