"""What the daily job (`cmetrack tick`) runs besides the cases' own work.

The tick belongs to cases, but apps above cases (intake, say) have daily work of their own.
They register it here from their AppConfig.ready(), so cases never imports them. Each job is
safe to re-run and safe if two run at once, and returns a sentence for the tick's report.
"""

from __future__ import annotations

from collections.abc import Callable

DailyJob = Callable[[], str]

_jobs: dict[str, DailyJob] = {}


def daily_job_register(name: str, job: DailyJob) -> None:
    """Registering the same name again replaces the job (AppConfig.ready() may run twice)."""
    _jobs[name] = job


def daily_jobs() -> list[tuple[str, DailyJob]]:
    return list(_jobs.items())
