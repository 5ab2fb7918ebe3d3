"""The dashboard's breakdowns as CSV and XLSX, and the audit entry each download leaves.

Figures only, no child: a row is a month, a reason, a school or an officer with its counts.
Every text cell goes through the project's one formula neutraliser
(referrals.importing.values), so a school or officer name starting "=" stays text in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.styles import Font

from cmetrack.accounts.models import User
from cmetrack.referrals.importing.values import neutralise_formula

from .dashboard_selectors import Dashboard, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header(table: Table) -> list[str]:
    return [neutralise_formula(text) for text in (table.first_column, *table.columns)]


def _rows(table: Table) -> list[list[str | int]]:
    return [[neutralise_formula(row.label), *row.values] for row in table.rows]


def write_csv(dashboard: Dashboard, table: Table, out: io.TextIOBase | object) -> None:
    writer = csv.writer(out)  # type: ignore[arg-type]
    writer.writerow([neutralise_formula(table.title)])
    writer.writerow([neutralise_formula(f"Period: {dashboard.period.label}")])
    writer.writerow(_header(table))
    writer.writerows(_rows(table))


def xlsx_bytes(dashboard: Dashboard, tables: Sequence[Table]) -> bytes:
    """One worksheet per breakdown: its title, the period, the header row, the figures."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for table in tables:
        # Sheet names are at most 31 characters and unique: the breakdown's key is both.
        sheet = book.create_sheet(table.key)
        sheet.append([neutralise_formula(table.title)])
        sheet.append([neutralise_formula(f"Period: {dashboard.period.label}")])
        sheet.append(_header(table))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in _rows(table):
            sheet.append(row)
        sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def record_export(request: HttpRequest, dashboard: Dashboard, what: str, fmt: str) -> LogEntry:
    """An ACCESS entry, on the exporting user's own record (aggregate figures belong to no
    record): who downloaded which breakdown, for which period, in which format. No figure and
    no child is in it."""
    actor = request.user if isinstance(request.user, User) else None
    assert actor is not None  # the view lets only managers and administrators this far
    context = auditlog_value.get(None) or {}
    extra = {
        key: value() if callable(value) else value
        for key, value in context.items()
        if key in ("remote_addr", "remote_port")
    }
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(actor.pk),
        object_id=actor.pk,
        object_repr="Manager dashboard export",
        action=LogEntry.Action.ACCESS,
        actor=actor,
        actor_email=actor.email,
        cid=get_cid(),
        additional_data={
            "view": "manager dashboard export",
            "breakdown": what,
            "format": fmt,
            "period": dashboard.period.label,
        },
        **extra,
    )
