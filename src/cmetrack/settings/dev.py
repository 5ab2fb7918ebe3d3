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

# The demo authority's postal and email contact for letters (production sets its own, docs/
# administrator-guide.md): plainly made up, so a demo letter cannot be mistaken for a real one.
CMETRACK_AUTHORITY_ADDRESS = os.environ.get(
    "CMETRACK_AUTHORITY_ADDRESS", "Demo CME Team, 1 Example Street, Bootle L20 0AA"
)
CMETRACK_AUTHORITY_EMAIL = os.environ.get("CMETRACK_AUTHORITY_EMAIL", "cme-demo@example.org")
