"""Making and checking backups: the database's own tool and the files directory, streamed
through the encryption (contents.py says how the two share one file)."""

from __future__ import annotations

import contextlib
import getpass
import logging
import os
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

import django
from django.db import connection

from .contents import FileSink, Manifest, pack, unpack
from .errors import BackupError, BackupIncompatible
from .fileformat import EncryptedReader, EncryptedWriter, Header, Metadata
from .files import file_sources, files_root
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
    manifest: Manifest
    files_root: Path


@dataclass(frozen=True)
class BackupChecked:
    path: Path
    header: Header
    sha256: str
    payload_bytes: int
    tables: int
    manifest: Manifest | None  # None: a format-1 backup, made before backups held files


@dataclass(frozen=True)
class Decrypted:
    header: Header
    sha256: str  # of the backup file as read
    manifest: Manifest | None  # None: format 1, the database alone


def database_vendor() -> str:
    if connection.vendor not in PAYLOADS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def checked_files_root() -> Path:
    """The files directory, refused if the SQLite database is inside it.

    A backup would copy the live database file as if it were an attachment, and a restore would
    move it aside with the old files.
    """
    root = files_root()
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        in_memory = name == ":memory:" or name.startswith("file:") or "mode=memory" in name
        if not in_memory and Path(name).resolve().is_relative_to(root):
            raise BackupError(
                f"The SQLite database {name} is inside the files directory {root}: set "
                "CMETRACK_FILES_DIR to a folder of its own (docs/administrator-guide.md). "
                "Nothing was done."
            )
    return root


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
    root = checked_files_root()
    if path.resolve().is_relative_to(root):
        # It would be copied into itself, and replaced by the next restore.
        raise BackupError(
            f"Write the backup outside the files directory {root} (CMETRACK_FILES_DIR)."
        )
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
        # The database's snapshot is taken before the first file is read. A letter's or an
        # attachment's file is written before its row, so every row in the snapshot finds
        # its file; a file stored while the backup runs is copied too, without a row.
        manifest: list[Manifest] = []
        sha256 = _encrypt(pack(chunks, file_sources(root), manifest.append), metadata, key, path)
    made = BackupMade(
        path=path,
        size=path.stat().st_size,
        sha256=sha256,
        metadata=metadata,
        manifest=manifest[0],
        files_root=root,
    )
    audit.info(
        "Backup made: %s (%s bytes, sha256 %s) of the %s database and %s files (%s bytes) "
        "from %s, by %s",
        path.resolve(),
        made.size,
        sha256,
        VENDOR_NAMES[vendor],
        len(made.manifest.files),
        made.manifest.files_size,
        root,
        operator(),
    )
    return made


def _copy(chunks: Iterator[bytes], out: BinaryIO) -> None:
    for chunk in chunks:
        out.write(chunk)


def backup_decrypt(path: Path, target: Path, files: FileSink | None = None) -> Decrypted:
    """Decrypt and verify the whole file: the database into target, each file into `files`.

    With `files` None the files are read and their hashes checked, and nothing is written.
    Only a complete, sound file returns; what was written before an error must be discarded.
    """
    key = configured_key()
    try:
        source = path.open("rb")
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error
    with source, _private(target) as out:
        reader = EncryptedReader(source)
        manifest = None
        if reader.header.version == 1:
            _copy(reader.chunks(key), out)
        else:
            manifest = unpack(reader.chunks(key), database=out, files=files)
    return Decrypted(header=reader.header, sha256=reader.sha256.hexdigest(), manifest=manifest)


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
        decrypted = backup_decrypt(path, payload)
        tables = payload_check(decrypted.header, payload)
        size = payload.stat().st_size
    audit.info(
        "Backup verified: %s (sha256 %s, %s), by %s",
        path.resolve(),
        decrypted.sha256,
        "format 1, no files"
        if decrypted.manifest is None
        else f"{len(decrypted.manifest.files)} files checked",
        operator(),
    )
    return BackupChecked(
        path=path,
        header=decrypted.header,
        sha256=decrypted.sha256,
        payload_bytes=size,
        tables=tables,
        manifest=decrypted.manifest,
    )
