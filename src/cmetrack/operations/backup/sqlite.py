"""SQLite: SQLite's own online backup API, through Django's connection.

The backup API copies a consistent snapshot while the service keeps reading and writing (in
WAL mode readers and writers do not block it), and restoring with it replaces the database's
pages in one transaction: another connection sees the old database or the new one, never a mix.
Django's own connection is used for both, so an in-memory test database works like a file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from django.db import connection

from .errors import BackupDamaged, BackupError
from .state import latest_per_app


def _raw() -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def sqlite_snapshot(target: Path) -> dict[str, str]:
    """Copy the live database to target; return the copy's migration state."""
    if connection.in_atomic_block:
        # The backup API answers "locked" to a connection with a write under way, for ever.
        raise BackupError("A backup cannot run inside a transaction.")
    with contextlib.closing(sqlite3.connect(target)) as copy:
        # One step (pages=-1): the whole copy is one read transaction, so it is a snapshot.
        _raw().backup(copy)
        # One self-contained file, whatever the live database's journal mode.
        copy.execute("PRAGMA journal_mode=DELETE")
        rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
    return latest_per_app(rows)


def sqlite_check(path: Path) -> int:
    """The decrypted file is a sound SQLite database; returns how many tables it has."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            result = copy.execute("PRAGMA quick_check").fetchone()[0]
            tables = copy.execute(
                "SELECT COUNT(*) FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupDamaged(f"The backup's database is unreadable ({error}).") from error
    if result != "ok":
        raise BackupDamaged("The backup's database fails SQLite's integrity check.")
    return int(tables)


def sqlite_load(path: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            copy.backup(_raw())
    except sqlite3.Error as error:
        raise BackupError(
            f"SQLite could not restore the backup ({error}); nothing changed."
        ) from error
    finally:
        # Nothing Django cached about the old database may outlive it (ignored for :memory:).
        connection.close()
