"""`cmetrack retention`: anonymise the children whose retention period has ended (run daily;
the worker runs it on its own schedule). Recorded like a scheduled run."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmetrack.operations.models import JobRun
from cmetrack.operations.runner import job_run_now
from cmetrack.privacy.retention import anonymise_due, children_due_for_anonymising, retention_age


class Command(BaseCommand):
    help = "Anonymise children past the retention age whose cases are all closed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")
        parser.add_argument("--limit", type=int, default=None, help="At most this many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            count = children_due_for_anonymising().count()
            self.stdout.write(
                f"{count} children are due for anonymising "
                f"(retention age {retention_age()}); nothing changed."
            )
            return
        limit = options["limit"]
        run = job_run_now(
            "retention", work=lambda: f"{len(anonymise_due(limit=limit))} children anonymised."
        )
        if run.outcome != JobRun.Outcome.SUCCEEDED:
            raise CommandError(run.summary)
        self.stdout.write(run.summary)
