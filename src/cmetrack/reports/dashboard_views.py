"""The managers' dashboard page and its exports (CSV and XLSX of every breakdown).

CME managers and administrators only: officers are refused (403) like every other role, as
the page compares officers' overdue work; an officer's own tasks are on the tasks page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.exports.responses import file_response
from cmetrack.exports.writers import FORMATS, csv_bytes, xlsx_bytes

from . import charts
from .dashboard_exports import export_table, file_stem, record_dashboard_export
from .dashboard_forms import PeriodForm, month_options
from .dashboard_selectors import Dashboard, Table, manager_dashboard

# The longest charts draw this many rows (the largest first); their tables list every row.
CHART_ROWS = 15
# Which chart each breakdown gets, and which of its columns it draws.
LINE, BARS, HORIZONTAL = "line", "bars", "horizontal"
CHART_KINDS = {
    "open-over-time": (LINE, (0,)),
    "referrals-closures": (BARS, (0, 1)),
    "days-to-placement": (BARS, (0,)),
    "open-by-reason": (HORIZONTAL, (0,)),
    "open-by-flag": (HORIZONTAL, (0,)),
    "open-by-school": (HORIZONTAL, (0,)),
    "open-by-year-group": (HORIZONTAL, (0,)),
    "open-by-district": (HORIZONTAL, (0,)),
    "overdue-by-officer": (HORIZONTAL, (0,)),
    "school-returns": (HORIZONTAL, (1, 2, 3)),
}
ALL = "all"


@dataclass(frozen=True)
class Panel:
    table: Table
    chart: str  # a data: URL, or "" when there is nothing to draw
    chart_cut: bool  # the chart shows only the first CHART_ROWS rows

    @property
    def wide(self) -> bool:
        """Three figures a row or more: the table needs the page's width, under its chart."""
        return len(self.table.columns) > 2


def chart_for(table: Table) -> tuple[str, bool]:
    kind, columns = CHART_KINDS[table.key]
    if not table.rows or not any(v for row in table.rows for v in row.values):
        return "", False
    rows = table.rows if kind != HORIZONTAL else table.rows[:CHART_ROWS]
    labels = [row.label for row in rows]
    series = [(table.columns[c], [row.values[c] for row in rows]) for c in columns]
    if kind == LINE:
        return charts.line_chart(labels, series), False
    return charts.bar_chart(labels, series, horizontal=kind == HORIZONTAL), len(rows) < len(
        table.rows
    )


def _require_manager(request: HttpRequest) -> None:
    if not is_manager(request.user):
        raise PermissionDenied("This page is for the CME team's managers and administrators.")


def _dashboard(request: HttpRequest) -> tuple[Dashboard, PeriodForm]:
    _require_manager(request)
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today)
    dashboard = manager_dashboard(user=request.user, period=form.period, today=today)
    assert dashboard is not None  # a manager
    return dashboard, form


def manager_dashboard_view(request: HttpRequest) -> HttpResponse:
    dashboard, form = _dashboard(request)
    errors = [
        (name, str(message)) for name, messages in form.errors.items() for message in messages
    ]
    panels = []
    for table in dashboard.tables:
        chart, cut = chart_for(table)
        panels.append(Panel(table, chart, cut))
    period = dashboard.period
    return render(
        request,
        "reports/manager_dashboard.html",
        {
            "dashboard": dashboard,
            "panels": panels,
            "errors": errors,
            "start_error": next((m for n, m in errors if n == "start"), ""),
            "end_error": next((m for n, m in errors if n == "end"), ""),
            "months": month_options(dashboard.today),
            "start": request.GET.get("start", f"{period.first:%Y-%m}"),
            "end": request.GET.get("end", f"{period.last:%Y-%m}"),
            "query": f"start={period.first:%Y-%m}&end={period.last:%Y-%m}",
            "chart_rows": CHART_ROWS,
        },
    )


def manager_dashboard_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    # Refused first (a refusal says nothing about which exports exist), then a file that does
    # not exist is 404 before any figure is counted.
    _require_manager(request)
    if (
        fmt not in FORMATS
        or (key != ALL and key not in CHART_KINDS)
        or (key == ALL and fmt != "xlsx")
    ):
        raise Http404("No such export.")
    dashboard, form = _dashboard(request)
    if form.errors:
        # Never a file for a period other than the one asked for: the page says what is wrong.
        return manager_dashboard_view(request)
    chosen = dashboard.tables if key == ALL else (dashboard.table(key),)
    tables = [export_table(dashboard, table) for table in chosen]
    content = csv_bytes(tables[0]) if fmt == "csv" else xlsx_bytes(tables)
    record_dashboard_export(request, dashboard, key, tables, fmt)
    return file_response(content, fmt=fmt, name=f"{file_stem(dashboard, key)}.{fmt}")
