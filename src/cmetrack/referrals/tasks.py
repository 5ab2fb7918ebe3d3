"""Background tasks of the intake (django-tasks; `cmetrack db_worker` runs them).

Large import files are checked and committed here, so the upload and the commit button answer
at once and the batch's page shows the progress. The work itself is in `imports.py`; each task
is safe to run again, and safe when two run at once (see `run_queued_check` and
`run_queued_commit`). Arguments are ids, as a task's arguments are stored as JSON.
"""

from __future__ import annotations

from django_tasks import task

from .imports import run_queued_check, run_queued_commit


@task()
def check_import(batch_id: int, user_id: int) -> None:
    """Parse and check an uploaded file once, and store the result on its batch."""
    run_queued_check(batch_id=batch_id, user_id=user_id)


@task()
def commit_import(batch_id: int, user_id: int, valid_only: bool) -> None:
    """Write a checked batch's rows (nothing if it is committed already)."""
    run_queued_commit(batch_id=batch_id, user_id=user_id, valid_only=valid_only)
