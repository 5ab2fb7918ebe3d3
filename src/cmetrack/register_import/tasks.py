"""Background tasks of a register migration (django-tasks; `cmetrack db_worker` runs them).

A register of more than CMETRACK_IMPORT_BACKGROUND_ROWS rows is checked and committed here, as
`referrals/tasks.py` does for returns, so the buttons answer at once and the batch's page shows
the progress. Each is safe to run again and twice at once (see the services). Arguments are
ids: a task's arguments are stored as JSON.
"""

from __future__ import annotations

from django_tasks import task

from .services import run_queued_check, run_queued_commit


@task()
def check_migration(batch_id: int, user_id: int) -> None:
    """Read and check a register file with its confirmed mappings; store the result."""
    run_queued_check(batch_id=batch_id, user_id=user_id)


@task()
def commit_migration(batch_id: int, user_id: int, valid_only: bool) -> None:
    """Write a checked register's rows (nothing if it is committed already)."""
    run_queued_commit(batch_id=batch_id, user_id=user_id, valid_only=valid_only)
