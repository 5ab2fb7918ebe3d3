"""Restoring: verify the whole file first, check it belongs here, then replace the database."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType

from .archive import (
    VENDOR_NAMES,
    audit,
    backup_decrypt,
    database_vendor,
    operator,
    payload_check,
)
from .errors import BackupError, BackupIncompatible
from .fileformat import Header
from .postgres import other_sessions, pg_load
from .sqlite import sqlite_load
from .state import check_not_newer, migrate_if_behind, table_row_counts


@dataclass(frozen=True)
class RestorePlan:
    """What is about to happen, for the operator to confirm."""

    header: Header
    tables: int
    other_sessions: int  # PostgreSQL connections to this database besides ours


@dataclass(frozen=True)
class Restored:
    header: Header
    sha256: str
    counts: dict[str, int]
    migrated: list[str]  # the migrations run after the restore (an older backup)


def check_restorable(header: Header, vendor: str) -> None:
    theirs = header.metadata.vendor
    if theirs != vendor:
        raise BackupIncompatible(
            f"This is a backup of a {VENDOR_NAMES.get(theirs, theirs)} database, and this "
            f"cmetrack uses {VENDOR_NAMES[vendor]}. A backup restores only into the kind of "
            "database it was made from; nothing was restored."
        )
    check_not_newer(header.metadata.migrations)


def backup_restore(path: Path, *, confirm: Callable[[RestorePlan], bool]) -> Restored:
    vendor = database_vendor()
    with tempfile.TemporaryDirectory(prefix="cmetrack-restore-") as work:
        payload = Path(work) / "payload"
        header, sha256 = backup_decrypt(path, payload)
        check_restorable(header, vendor)
        tables = payload_check(header, payload)
        sessions = other_sessions() if vendor == "postgresql" else 0
        if not confirm(RestorePlan(header=header, tables=tables, other_sessions=sessions)):
            raise BackupError("Restore cancelled; nothing changed.")
        if vendor == "sqlite":
            sqlite_load(payload)
        else:
            pg_load(payload)
    # Content type ids are the backup's now; a cached one from before would point elsewhere.
    ContentType.objects.clear_cache()
    counts = table_row_counts()
    migrated = migrate_if_behind()
    audit.info(
        "Database restored from %s (sha256 %s, made %s): %s tables, %s rows; %s; by %s",
        path.resolve(),
        sha256,
        header.metadata.created_at,
        len(counts),
        sum(counts.values()),
        f"then {len(migrated)} migrations to this code" if migrated else "no migration needed",
        operator(),
    )
    return Restored(header=header, sha256=sha256, counts=counts, migrated=migrated)
