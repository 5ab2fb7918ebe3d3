"""Test settings: fast hashing, in-memory mail. DATABASE_URL picks SQLite or PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if "DATABASE_URL" not in os.environ:
    # In memory, both names: a test must never reach the developer's var/cmetrack.sqlite3.
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# No persistent connections: a live-server thread holding one would stop PostgreSQL dropping
# the test database at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Background tasks run at once, in the test's own thread (one test swaps in the database
# backend and runs `db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Rate-limit counters in memory: fast, and a test clears them with cache.clear(). One test runs
# on the database cache that production uses (accounts/tests/test_client_address.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
