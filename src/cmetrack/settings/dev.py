"""Local development: `make run`. Debug on, embedded SQLite by default."""

import os

from .base import *  # noqa: F403

DEBUG = True

# `make run` starts no worker: background imports run at once, in the request, unless a worker
# is asked for (CMETRACK_TASKS_BACKEND=django_tasks_db.DatabaseBackend with `cmetrack db_worker`).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "CMETRACK_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
