"""What the submissions lists export: the CME team's incoming queue and a partner's own list.

Each is the list's own query, every page of it, a row per submission (the subject of the row's
audit entry: a submission may name a child the register does not hold yet).

- The incoming queue (the CME team): the queue's columns, with the child as the sender
  described them (name, date of birth, UPN, postcode) as personal columns.
- A partner's submissions (a school, an agency, another authority): only what its page shows,
  which is only what that organisation sent and the status the authority shares with it. The
  child's name, which the sender typed itself, is the one personal column; nothing the CME
  team recorded (triage, the case, risk, notes) is in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

from cmetrack.exports.table import Column, ExportTable, Row

from .models import Submission
from .selectors import QueueItem, queue_items

CHUNK = 500

INCOMING_COLUMNS = (
    Column("reference", "Reference"),
    Column("kind", "What"),
    Column("ground", "Deletion ground"),
    Column("name", "Child", personal=True),
    Column("date_of_birth", "Date of birth", personal=True),
    Column("upn", "UPN", personal=True),
    Column("postcode", "Postcode", personal=True),
    Column("escalated", "Escalated because"),
    Column("risk", "Risk"),
    Column("flags", "Flags"),
    Column("sender", "From"),
    Column("received", "Received"),
    Column("days_waiting", "Days waiting"),
    Column("late_days", "Late by (school days)"),
    Column("deletion_date", "Deletion date"),
    Column("clock", "Statutory clock"),
    Column("recommended", "Recommended"),
)

MINE_COLUMNS = (
    Column("reference", "Reference"),
    Column("kind", "What"),
    Column("name", "Child", personal=True),
    Column("sent", "Sent"),
    Column("status", "Status"),
)


def _chunks(submissions: QuerySet[Submission]) -> Iterator[list[Submission]]:
    # iterator() with a chunk size still runs the queue's prefetches, a chunk at a time.
    rows = submissions.iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _incoming_row(item: QueueItem) -> Row:
    s = item.submission
    deletion = getattr(s, "deletionreturn", None) if s.kind == "deletion" else None
    ground = getattr(deletion, "ground_info", None) if deletion else None
    return Row(
        {
            "reference": s.reference,
            "kind": s.get_kind_display(),
            "ground": getattr(ground, "code", "") or "",
            "name": s.child_name,
            "date_of_birth": s.date_of_birth,
            "upn": s.upn,
            "postcode": s.postcode,
            "escalated": "; ".join(item.urgent_reasons),
            "risk": item.risk_label,
            "flags": "; ".join(item.flags),
            "sender": str(s.organisation) if s.organisation else "Member of the public",
            "received": s.received_at,
            "days_waiting": item.days_waiting,
            "late_days": deletion.late_school_days if deletion else None,
            "deletion_date": item.deletion_date,
            "clock": item.clock,
            "recommended": "Awaiting LA confirmation"
            if item.awaiting_la_confirmation
            else (s.route_label or "Officer to decide"),
        },
        subject_id=s.pk,
    )


def _incoming_rows(submissions: QuerySet[Submission]) -> Iterator[Row]:
    for chunk in _chunks(submissions):
        for item in queue_items(chunk):
            yield _incoming_row(item)


def incoming_table(submissions: QuerySet[Submission], *, include_personal: bool) -> ExportTable:
    """`submissions`: the queue's query (`incoming_waiting`), in the queue's order."""
    return ExportTable(
        name="Incoming",
        slug="incoming",
        columns=INCOMING_COLUMNS,
        rows=_incoming_rows(submissions),
        subject_model=Submission,
        include_personal=include_personal,
    )


def _mine_rows(submissions: Iterable[Submission]) -> Iterator[Row]:
    for s in submissions:
        yield Row(
            {
                "reference": s.reference,
                "kind": s.get_kind_display(),
                "name": s.child_name,
                "sent": timezone.localdate(s.received_at),
                "status": s.get_shared_status_display(),
            },
            subject_id=s.pk,
        )


def my_submissions_table(
    submissions: QuerySet[Submission], *, include_personal: bool
) -> ExportTable:
    """`submissions`: the partner's own list (`my_submissions`), newest first."""
    return ExportTable(
        name="Your submissions",
        slug="submissions",
        columns=MINE_COLUMNS,
        rows=_mine_rows(submissions.iterator(chunk_size=CHUNK)),
        subject_model=Submission,
        include_personal=include_personal,
    )
