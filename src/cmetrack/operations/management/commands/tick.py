"""`cmetrack tick`: the daily job, for cron users (the worker runs it on its own schedule).

Creates due tasks, cancels those that no longer apply and reports newly overdue ones to the
managers, and newly overdue home-education reviews to the EHE team. Safe to re-run and to run
twice at once. Recorded like a scheduled run, so /healthz and the status page know when it last
ran; a failure exits non-zero for cron to report.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cmetrack.cases.services import TickReport
from cmetrack.operations.jobs import tick_run, tick_summary
from cmetrack.operations.models import JobRun
from cmetrack.operations.runner import job_run_now


class Command(BaseCommand):
    help = "Create due reminders and tasks, and escalate overdue work (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        reports: list[TickReport] = []

        def work() -> str:
            reports.append(tick_run())
            return tick_summary(reports[0])

        run = job_run_now("tick", work=work)
        if run.outcome != JobRun.Outcome.SUCCEEDED:
            raise CommandError(run.summary)
        # What was done on standard output; what needs doing (term dates missing) on standard
        # error, so cron mails it.
        for line in reports[0].lines:
            self.stdout.write(line)
        for warning in reports[0].warnings:
            self.stderr.write(warning)
