"""Restoring: verify the whole file first, check it belongs here, then replace the database and
the files directory together (a failure on either side leaves both as they were)."""

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
    checked_files_root,
    database_vendor,
    operator,
    payload_check,
)
from .contents import Manifest
from .errors import BackupError, BackupIncompatible
from .fileformat import Header
from .files import Staging
from .postgres import other_sessions, pg_load
from .sqlite import sqlite_load
from .state import check_not_newer, migrate_if_behind, table_row_counts


@dataclass(frozen=True)
class RestorePlan:
    """What is about to happen, for the operator to confirm."""

    header: Header
    tables: int
    other_sessions: int  # PostgreSQL connections to this database besides ours
    manifest: Manifest | None  # None: a format-1 backup, which holds no files
    files_root: Path


@dataclass(frozen=True)
class Restored:
    header: Header
    sha256: str
    counts: dict[str, int]
    migrated: list[str]  # the migrations run after the restore (an older backup)
    manifest: Manifest | None  # None: format 1, the files directory was left as it was
    files_root: Path
    left_behind: Path | None  # the replaced files directory, if it could not be removed


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
    root = checked_files_root()
    # The new files are written beside the old ones (the swap is then a rename), never in
    # TMPDIR; the database payload goes to TMPDIR as before.
    with (
        tempfile.TemporaryDirectory(prefix="cmetrack-restore-") as work,
        Staging(root) as staging,
    ):
        payload = Path(work) / "payload"
        decrypted = backup_decrypt(path, payload, files=staging.open)
        header, manifest = decrypted.header, decrypted.manifest
        check_restorable(header, vendor)
        tables = payload_check(header, payload)
        sessions = other_sessions() if vendor == "postgresql" else 0
        plan = RestorePlan(
            header=header,
            tables=tables,
            other_sessions=sessions,
            manifest=manifest,
            files_root=root,
        )
        if not confirm(plan):
            raise BackupError("Restore cancelled; nothing changed.")
        if manifest is not None:
            # Files first: if the database then fails, leaving the block swaps them back.
            staging.swap_in()
        if vendor == "sqlite":
            sqlite_load(payload)
        else:
            pg_load(payload)
    # Content type ids are the backup's now; a cached one from before would point elsewhere.
    ContentType.objects.clear_cache()
    counts = table_row_counts()
    migrated = migrate_if_behind()
    audit.info(
        "Database restored from %s (sha256 %s, made %s): %s tables, %s rows; %s; %s; by %s",
        path.resolve(),
        decrypted.sha256,
        header.metadata.created_at,
        len(counts),
        sum(counts.values()),
        f"then {len(migrated)} migrations to this code" if migrated else "no migration needed",
        "format 1, files directory left as it was"
        if manifest is None
        else f"files directory {root} replaced by its {len(manifest.files)} files",
        operator(),
    )
    return Restored(
        header=header,
        sha256=decrypted.sha256,
        counts=counts,
        migrated=migrated,
        manifest=manifest,
        files_root=root,
        left_behind=staging.left_behind,
    )
