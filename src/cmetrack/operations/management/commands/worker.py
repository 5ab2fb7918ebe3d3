"""`cmetrack worker`: the background worker with its schedule and heartbeat.

django-tasks-db's `db_worker` runs the queued tasks (imports, emails, job runs); this adds a
thread that writes the heartbeat /healthz reads and claims the scheduled jobs' windows
(operations/jobs.py). Run one or more as a service; two at once never run a window twice.
`--batch` runs what is due and what is queued, then exits (tests, or a worker from cron).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from cmetrack.operations.heartbeat import PulseThread, beat_once


class Command(DbWorkerCommand):
    help = "Run background tasks and the scheduled jobs (tick, retention, email retries)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Only run queued tasks; another worker claims the scheduled jobs.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schedule = not options.pop("no_schedule")
        worker_id = options["worker_id"]
        if options.get("batch"):
            beat_once(worker_id, schedule=schedule)
        else:
            PulseThread(worker_id, schedule=schedule).start()
        super().handle(*args, **options)
