"""Background tasks of operations (django-tasks; `cmetrack worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from .runner import job_execute


@task()
def job_run_task(run_id: int) -> None:
    """Run one claimed window of a scheduled job (see runner.schedule_claim_due)."""
    job_execute(run_id)
