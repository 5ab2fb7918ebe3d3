"""The jobs the service runs on its own, and when: one table the worker and the commands share.

A daily job runs once in each day's window, which opens at its time of day (Europe/London);
a frequent job runs once in each window of its length. Each job is safe to re-run and safe if
two run at once (the work claims its rows), and returns a summary of counts, never a child's
details. `cmetrack tick` and `cmetrack retention` run the same functions for cron users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from cmetrack.cases.services import TickReport


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    run: Callable[[], str]
    daily_at: time | None = None
    every: timedelta | None = None

    @property
    def when_label(self) -> str:
        if self.daily_at is not None:
            return f"Daily from {self.daily_at:%H:%M}"
        minutes = int(self.every.total_seconds() // 60) if self.every else 0
        return f"Every {minutes} minutes"


def tick_run() -> TickReport:
    """The daily job's work, for the worker and `cmetrack tick` alike: the cases' tasks and
    escalations, then the home-education reviews newly overdue, reported to the EHE team."""
    from cmetrack.cases.services import daily_tick
    from cmetrack.ehe.services import ehe_reviews_report_overdue

    report = daily_tick()
    reviews = ehe_reviews_report_overdue()
    line = f"Home education: {reviews} review(s) newly overdue reported to the EHE team."
    return replace(report, lines=[*report.lines, line])


def _tick() -> str:
    return tick_summary(tick_run())


def tick_summary(report: TickReport) -> str:
    return "\n".join([*report.lines, *report.warnings])


def _retention() -> str:
    from cmetrack.crosschecks.services import crosscheck_runs_delete_old
    from cmetrack.privacy.retention import anonymise_due
    from cmetrack.rolls.services import roll_loads_delete_old

    lines = [f"{len(anonymise_due())} children anonymised."]
    if rolls := roll_loads_delete_old():
        lines.append(f"{rolls} school roll load(s) past the retention period deleted.")
    if runs := crosscheck_runs_delete_old():
        lines.append(f"{runs} cross-check run(s) past the retention period deleted.")
    return " ".join(lines)


def _email_retry() -> str:
    from cmetrack.notifications.services import emails_retry_due

    return f"{emails_retry_due()} emails queued again for delivery."


def _exchange_retry() -> str:
    from cmetrack.exchange.services.outbox import messages_deliver_due, payloads_forget

    attempted, forgotten = messages_deliver_due(), payloads_forget()
    line = f"{attempted} message(s) to other authorities' cmetrack attempted."
    return line + (
        f" {forgotten} old message(s) cleared of the child's details." if forgotten else ""
    )


def _housekeeping() -> str:
    from .housekeeping import housekeeping_run

    return housekeeping_run()


def _time_of_day(name: str, default: str) -> time:
    value = getattr(settings, name, default)
    try:
        return time.fromisoformat(value)
    except ValueError as error:
        raise ValueError(
            f"{name} must be a time of day such as {default}, not {value!r}"
        ) from error


def scheduled_jobs() -> list[Job]:
    """Read at each use, so a test or a changed setting takes effect without a restart."""
    return [
        Job(
            "tick",
            "Daily job: tasks, overdue work and escalations",
            _tick,
            daily_at=_time_of_day("CMETRACK_TICK_AT", "06:15"),
        ),
        Job(
            "retention",
            "Retention: anonymise children past the retention period",
            _retention,
            daily_at=_time_of_day("CMETRACK_RETENTION_AT", "02:30"),
        ),
        Job(
            "housekeeping",
            "Housekeeping: old job runs, heartbeats and task results",
            _housekeeping,
            daily_at=_time_of_day("CMETRACK_HOUSEKEEPING_AT", "03:00"),
        ),
        Job(
            "email-retry",
            "Email: retry failed and stalled deliveries",
            _email_retry,
            every=timedelta(minutes=5),
        ),
        Job(
            "exchange-retry",
            "Exchange: deliver and retry messages to other authorities' cmetrack",
            _exchange_retry,
            every=timedelta(minutes=5),
        ),
    ]


def job_named(name: str) -> Job:
    for job in scheduled_jobs():
        if job.name == name:
            return job
    raise KeyError(name)
