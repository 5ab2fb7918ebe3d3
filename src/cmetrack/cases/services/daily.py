"""The daily job's work (`cmetrack tick`, and the worker's schedule): one function both call.

Creates due tasks, cancels those that no longer apply, reports newly overdue ones to the
managers, raises missing safeguarding escalations, then runs the daily jobs other apps
registered (cases/daily_jobs.py). Safe to re-run and safe if two run at once: each step claims
its rows with a conditional update. The report holds counts and advice only, never a child's
details, because it is shown on the status page and written to logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cmetrack.cases.daily_jobs import daily_jobs
from cmetrack.cases.models import Case
from cmetrack.schooldays.selectors import school_calendar

from .deadlines import tasks_escalate_overdue, tasks_sync
from .escalation import escalations_raise_missing


@dataclass(frozen=True)
class TickReport:
    lines: list[str]
    warnings: list[str] = field(default_factory=list)


def daily_tick() -> TickReport:
    result = tasks_sync(cases=Case.objects.all(), calendar=school_calendar())
    escalated = tasks_escalate_overdue()
    raised = escalations_raise_missing()
    lines = [
        f"{result.cases} open cases checked: {result.created} tasks created, "
        f"{result.cancelled} no longer needed, {escalated} newly overdue reported, "
        f"{raised} safeguarding escalations raised."
    ]
    lines.extend(job() for _name, job in daily_jobs())
    warnings = [
        f"Deadlines not computed for some cases: {message}. "
        "Load the term dates with `cmetrack import-term-dates`."
        for message in sorted(result.missing_term_dates)
    ]
    return TickReport(lines=lines, warnings=warnings)
