"""Test settings: fast hashing, in-memory mail. DATABASE_URL picks SQLite or PostgreSQL."""

import os
import tempfile
from pathlib import Path

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
# Stored files go to memory (below); anything that reads MEDIA_ROOT from disk (the backup) is
# pointed at a directory of this run's own, never at a developer's var/media (unless a test's
# own process is given one, as the backup command's test does).
if "CMETRACK_FILES_DIR" not in os.environ:
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cmetrack-test-files-"))
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

# The demo authority's postal and email contact for letters (production sets its own, docs/
# administrator-guide.md): plainly made up, so a demo letter cannot be mistaken for a real one.
CMETRACK_AUTHORITY_ADDRESS = os.environ.get(
    "CMETRACK_AUTHORITY_ADDRESS", "Demo CME Team, 1 Example Street, Bootle L20 0AA"
)
CMETRACK_AUTHORITY_EMAIL = os.environ.get("CMETRACK_AUTHORITY_EMAIL", "cme-demo@example.org")
