"""`cmetrack tick`: the daily job. Creates due tasks, cancels those that no longer apply and
reports newly overdue ones to the managers. Safe to re-run and to run twice at once."""

from typing import Any

from django.core.management.base import BaseCommand

from cmetrack.cases.daily_jobs import daily_jobs
from cmetrack.cases.models import Case
from cmetrack.cases.services import escalations_raise_missing, tasks_escalate_overdue, tasks_sync
from cmetrack.schooldays.selectors import school_calendar


class Command(BaseCommand):
    help = "Create due reminders and tasks, and escalate overdue work (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = tasks_sync(cases=Case.objects.all(), calendar=school_calendar())
        escalated = tasks_escalate_overdue()
        raised = escalations_raise_missing()
        self.stdout.write(
            f"{result.cases} open cases checked: {result.created} tasks created, "
            f"{result.cancelled} no longer needed, {escalated} newly overdue reported, "
            f"{raised} safeguarding escalations raised."
        )
        for _name, job in daily_jobs():
            self.stdout.write(job())
        for message in sorted(result.missing_term_dates):
            self.stderr.write(
                f"Deadlines not computed for some cases: {message}. "
                "Load the term dates with `cmetrack import-term-dates`."
            )
