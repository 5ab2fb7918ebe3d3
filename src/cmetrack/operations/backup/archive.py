"""Making and checking backups: the database's own tool, streamed through the encryption."""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

import django
from django.db import connection

from .errors import BackupError, BackupIncompatible
from .fileformat import EncryptedReader, EncryptedWriter, Header, Metadata
from .keys import configured_key
from .postgres import archive_tables, pg_dump_chunks
from .sqlite import sqlite_check, sqlite_snapshot
from .state import applied_migrations

# The audit trail of backups and restores: what, when, which file, by which account; never a
# row's contents.
audit = logging.getLogger("cmetrack.backup")

PAYLOADS = {"sqlite": "sqlite3-database", "postgresql": "pg_dump-custom"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class BackupMade:
    path: Path
    size: int
    sha256: str
    metadata: Metadata


@dataclass(frozen=True)
class BackupChecked:
    path: Path
    header: Header
    sha256: str
    payload_bytes: int
    tables: int


def database_vendor() -> str:
    if connection.vendor not in PAYLOADS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return f"uid {os.getuid()}"


def _cmetrack_version() -> str:
    try:
        return version("cmetrack")
    except PackageNotFoundError:
        return "unknown"


def _private(path: Path) -> BinaryIO:
    # Owner-only from the first byte: the plaintext copy and the backup alike.
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def _file_chunks(path: Path) -> Generator[bytes]:
    with path.open("rb") as source:
        while block := source.read(READ_SIZE):
            yield block


def _encrypt(chunks: Generator[bytes], metadata: Metadata, key: bytes, path: Path) -> str:
    # Written beside the target under a name of its own (owner-only, as mkstemp makes it) and
    # renamed into place once complete: a failed backup never leaves a file under the real name
    # nor replaces yesterday's good one, and two backups at once cannot mix.
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    partial = Path(name)
    try:
        with contextlib.closing(chunks), os.fdopen(handle, "wb") as out:
            writer = EncryptedWriter(out, key, metadata)
            for chunk in chunks:
                writer.write(chunk)
            writer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return writer.sha256.hexdigest()


def backup_create(path: Path) -> BackupMade:
    key = configured_key()
    vendor = database_vendor()
    if not path.parent.is_dir():
        raise BackupError(f"Cannot write the backup: there is no folder {path.parent}.")
    with tempfile.TemporaryDirectory(prefix="cmetrack-backup-") as work:
        chunks: Generator[bytes]
        if vendor == "sqlite":
            # The plaintext snapshot lives only in this owner-only directory, and briefly.
            snapshot = Path(work) / "database.sqlite3"
            migrations = sqlite_snapshot(snapshot)
            chunks = _file_chunks(snapshot)
        else:
            migrations = applied_migrations()
            chunks = pg_dump_chunks()
        metadata = Metadata(
            vendor=vendor,
            payload=PAYLOADS[vendor],
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            migrations=migrations,
            cmetrack_version=_cmetrack_version(),
            django_version=django.get_version(),
        )
        sha256 = _encrypt(chunks, metadata, key, path)
    made = BackupMade(path=path, size=path.stat().st_size, sha256=sha256, metadata=metadata)
    audit.info(
        "Backup made: %s (%s bytes, sha256 %s) of the %s database, by %s",
        path.resolve(),
        made.size,
        sha256,
        VENDOR_NAMES[vendor],
        operator(),
    )
    return made


def backup_decrypt(path: Path, target: Path) -> tuple[Header, str]:
    """Decrypt and verify the whole file into target; only a complete, sound file returns."""
    key = configured_key()
    try:
        source = path.open("rb")
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error
    with source, _private(target) as out:
        reader = EncryptedReader(source)
        for chunk in reader.chunks(key):
            out.write(chunk)
    return reader.header, reader.sha256.hexdigest()


def payload_check(header: Header, payload: Path) -> int:
    """The decrypted payload is readable by its database's tool; returns its table count."""
    if header.metadata.payload == PAYLOADS["sqlite"]:
        return sqlite_check(payload)
    if header.metadata.payload == PAYLOADS["postgresql"]:
        return len(archive_tables(payload))
    raise BackupIncompatible(f"Unknown kind of backup ({header.metadata.payload}).")


def backup_verify(path: Path) -> BackupChecked:
    with tempfile.TemporaryDirectory(prefix="cmetrack-verify-") as work:
        payload = Path(work) / "payload"
        header, sha256 = backup_decrypt(path, payload)
        tables = payload_check(header, payload)
        size = payload.stat().st_size
    audit.info("Backup verified: %s (sha256 %s), by %s", path.resolve(), sha256, operator())
    return BackupChecked(path=path, header=header, sha256=sha256, payload_bytes=size, tables=tables)
