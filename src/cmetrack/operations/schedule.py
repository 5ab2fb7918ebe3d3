"""Which window of its schedule a job is in at a moment: the key that makes a run happen once.

Pure: no database. A daily job's window runs from its time of day to the same time the next
day, so a worker that was down at 06:15 runs the day's tick as soon as it is back (and a run
missed yesterday is caught up before today's window opens). Times are Europe/London's wall
clock, so 06:15 stays 06:15 across the clock changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .jobs import Job

LONDON = ZoneInfo("Europe/London")


def current_slot(job: Job, now: datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if job.daily_at is not None:
        local = now.astimezone(LONDON)
        opens = datetime.combine(local.date(), job.daily_at, tzinfo=LONDON)
        day = local.date() if local >= opens else local.date() - timedelta(days=1)
        return day.isoformat()
    if job.every is not None:
        length = int(job.every.total_seconds())
        start = int(now.timestamp()) // length * length
        return datetime.fromtimestamp(start, tz=UTC).strftime("%Y-%m-%dT%H:%MZ")
    raise ValueError(f"Job {job.name} has no schedule")
