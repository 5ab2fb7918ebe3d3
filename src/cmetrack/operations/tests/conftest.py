"""The backup round trips run last on each worker (cmetrack/conftest.py) as transactional
tests: each replaces the whole database, and the flush after it, with post_migrate, puts the
reference data back for the next. The test before the first of them may have left the database
empty instead (a transactional test with a serialized rollback flushes without post_migrate
and leaves the restoring to the next test of its kind): recreate what post_migrate makes first.
"""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal

from cmetrack.cases.models import MissingReason

BACKUP_MODULES = ("test_backup", "test_backup_files")


@pytest.fixture(autouse=True)
def _migrated_state_for_backups(request: pytest.FixtureRequest) -> None:
    if request.module.__name__.rsplit(".", 1)[-1] not in BACKUP_MODULES:
        return
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    if not MissingReason.objects.exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
