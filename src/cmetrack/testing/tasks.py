"""The task backend tests switch to when they need work queued, not run at once.

The test settings run tasks immediately; a test of the worker, the outbox or large imports needs
them stored as the production worker would find them.
"""

from typing import Any

DATABASE_TASKS: dict[str, Any] = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
