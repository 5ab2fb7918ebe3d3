"""The dashboard's breakdowns as export tables, for the shared writer (cmetrack.exports).

Figures only, no child: a row is a month, a reason, a school or an officer with its counts, so
no column is personal and no child's audit trail gains an entry; the download itself is
audited on the downloading user's record, with the breakdown and the period.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditlog.models import LogEntry
from django.http import HttpRequest

from cmetrack.exports.audit import record_export
from cmetrack.exports.table import Column, ExportTable, Row

from .dashboard_selectors import Dashboard, Table

VIEW = "manager dashboard export"


def export_table(dashboard: Dashboard, table: Table) -> ExportTable:
    """A breakdown as the writer takes it: its title and period above the header."""
    keys = [f"c{i}" for i in range(len(table.columns))]
    columns = (
        Column("label", table.first_column),
        *(Column(key, heading) for key, heading in zip(keys, table.columns, strict=True)),
    )
    return ExportTable(
        name=table.title,
        slug=f"dashboard-{table.key}",
        sheet=table.key,
        columns=columns,
        rows=(
            Row({"label": row.label, **dict(zip(keys, row.values, strict=True))})
            for row in table.rows
        ),
        title_lines=(table.title, f"Period: {dashboard.period.label}"),
    )


def file_stem(dashboard: Dashboard, key: str) -> str:
    period = dashboard.period
    return f"dashboard-{key}-{period.first:%Y-%m}-to-{period.last:%Y-%m}"


def record_dashboard_export(
    request: HttpRequest, dashboard: Dashboard, what: str, tables: Sequence[ExportTable], fmt: str
) -> LogEntry:
    """Who downloaded which breakdown (or "all"), for which period, in which format."""
    return record_export(
        by=request.user,
        tables=tables,
        fmt=fmt,
        view=VIEW,
        details={
            "breakdown": what,
            "period": dashboard.period.label,
            "as_of": dashboard.as_of.isoformat(),
        },
    )
