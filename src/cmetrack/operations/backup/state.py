"""Which migrations a database has, whether this code can take them, and what is in it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from .errors import BackupIncompatible


def latest_per_app(applied: Iterable[tuple[str, str]]) -> dict[str, str]:
    # Migration names start with a zero-padded number, so the greatest name is the latest.
    latest: dict[str, str] = {}
    for app, name in applied:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def applied_migrations() -> dict[str, str]:
    return latest_per_app(MigrationRecorder(connection).applied_migrations())


def migrations_unknown_to_code(state: dict[str, str]) -> list[str]:
    """The backup's migrations that this code does not have: the backup is from newer code."""
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in state.items() if (app, name) not in on_disk]


def check_not_newer(state: dict[str, str]) -> None:
    unknown = migrations_unknown_to_code(state)
    if unknown:
        raise BackupIncompatible(
            "This backup was made by a newer version of cmetrack: its database has migrations "
            f"this code does not have ({', '.join(unknown)}). Nothing was restored. Upgrade "
            "cmetrack to the version that made the backup (or later), then restore it."
        )


def migrate_if_behind() -> list[str]:
    """A backup older than the code is brought up to it, as an upgrade would; returns what ran."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def table_row_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            # The names come from the database's own catalogue, and are quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 # nosec B608
            counts[table] = int(cursor.fetchone()[0])
    return counts
