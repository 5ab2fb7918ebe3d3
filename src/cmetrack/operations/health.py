"""Is the service healthy? The checks /healthz answers and the status page shows.

Nothing here reads or returns a child's details: only whether the database answers, whether
the migrations are applied, when a worker last said it was alive and when the tick last ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import JobRun, WorkerHeartbeat

# A worker beats every 15 s; two minutes of silence means it is gone or stuck.
WORKER_SILENT_AFTER = timedelta(minutes=2)
# The tick runs once a day; a day and a few hours without one means it has stopped.
TICK_LATE_AFTER = timedelta(hours=26)

OK, DEGRADED, FAILING = "ok", "degraded", "failing"

_migrations_applied = False  # once true in a process it stays true (a deploy starts new ones)


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    at: datetime | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "status": self.status,
            "detail": self.detail,
            "at": self.at.isoformat() if self.at else None,
        }


def worker_expected() -> bool:
    """With the immediate backend (a demo, a very small site) there is no worker to expect."""
    backend = settings.TASKS["default"]["BACKEND"]
    return backend == "django_tasks_db.DatabaseBackend"


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return Check("database", FAILING, f"Database unreachable ({type(error).__name__})")
    return Check("database", OK, f"{connection.vendor} answers")


def check_migrations() -> Check:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return Check("migrations", FAILING, f"{len(pending)} migrations not applied")
        _migrations_applied = True
    return Check("migrations", OK, "All applied")


def check_worker(now: datetime) -> Check:
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if not worker_expected():
        seen = latest.last_seen if latest else None
        return Check("worker", OK, "Not needed: tasks run inside requests", seen)
    if latest is None:
        return Check("worker", DEGRADED, "No worker has ever started (`cmetrack worker`)")
    if now - latest.last_seen > WORKER_SILENT_AFTER:
        return Check("worker", DEGRADED, "No worker heartbeat for over 2 minutes", latest.last_seen)
    return Check("worker", OK, "Alive", latest.last_seen)


def check_tick(now: datetime) -> Check:
    last = (
        JobRun.objects.filter(name="tick", outcome=JobRun.Outcome.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is None:
        return Check("tick", DEGRADED, "The daily job has never run")
    if now - last > TICK_LATE_AFTER:
        return Check("tick", DEGRADED, "The daily job has not run for over 26 hours", last)
    return Check("tick", OK, "Ran in the last day", last)


def health_checks() -> list[Check]:
    database = check_database()
    if database.status != OK:
        return [database]
    now = timezone.now()
    return [database, check_migrations(), check_worker(now), check_tick(now)]


def overall(checks: list[Check]) -> str:
    statuses = {check.status for check in checks}
    if FAILING in statuses:
        return FAILING
    return DEGRADED if DEGRADED in statuses else OK
