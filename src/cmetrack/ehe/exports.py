"""What the EHE register exports: its columns, and a row per record the register's filters give.

The rows are the register's own query (`ehe_register`, with the page's status and review
filters), every page of it, read once. The child's name, date of birth and UPN are the
personal columns: the register shows names and dates of birth to everyone who may open it, so
the export has them unless the user asks for it without (`?personal=no`). Each row names its
child, for the per-child audit entry (the register page records a view of each child it lists).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from cmetrack.children.models import Child
from cmetrack.exports.table import Column, ExportTable, Row

from .models import EheRecord

CHUNK = 2000

REGISTER_COLUMNS = (
    Column("reference", "Reference"),
    Column("name", "Child", personal=True),
    Column("date_of_birth", "Date of birth", personal=True),
    Column("upn", "UPN", personal=True),
    Column("start", "Home educated from"),
    Column("reason", "Reason"),
    Column("provider", "Provision"),
    Column("next_review", "Next review due"),
    Column("status", "Status"),
    Column("ended", "Ended"),
    Column("end_reason", "End reason"),
    Column("needs_manager", "Needs a manager"),
)


def _rows(records: QuerySet[EheRecord]) -> Iterator[Row]:
    for record in records.iterator(chunk_size=CHUNK):
        child = record.child
        yield Row(
            {
                "reference": record.reference,
                "name": child.full_name,
                "date_of_birth": child.date_of_birth,
                "upn": child.upn,
                "start": record.start_date,
                "reason": str(record.reason) if record.reason else "Not known",
                "provider": record.get_provider_display(),
                "next_review": record.next_review_due if record.is_open else None,
                "status": "On the register" if record.is_open else "Ended",
                "ended": record.end_date,
                "end_reason": record.get_end_reason_display(),
                "needs_manager": record.alert_open,
            },
            subject_id=record.child_id,
        )


def register_table(records: QuerySet[EheRecord], *, include_personal: bool) -> ExportTable:
    return ExportTable(
        name="Elective home education register",
        slug="ehe-register",
        columns=REGISTER_COLUMNS,
        rows=_rows(records),
        subject_model=Child,
        include_personal=include_personal,
    )
