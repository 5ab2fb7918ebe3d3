"""The cross-checks' background task (django-tasks; `cmetrack worker` runs it). The argument
is the run's id: a task's arguments are stored as JSON."""

from __future__ import annotations

from django_tasks import task

from .services import crosscheck_execute


@task()
def run_crosscheck(run_id: int) -> None:
    crosscheck_execute(run_id=run_id)
