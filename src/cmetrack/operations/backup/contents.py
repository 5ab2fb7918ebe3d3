"""What is inside the encryption of a format-2 backup: the database, every file, a manifest.

The plaintext that the chunks of fileformat.py seal is a sequence of entries:

    entry   kind (1 byte) | name length (2 bytes) | name (UTF-8) | block ... | 4 zero bytes
    block   length (4 bytes, 1 to 1 MiB) | that many bytes

Kinds, in this order: one `D` (the database payload, no name), any number of `F` (a file, named
by its path relative to the files directory, `/` between folders), one `M` (the manifest, JSON,
no name), then the end of the stream. Contents go in blocks because their length is not known
when they start (pg_dump's output is streamed), so nothing is ever held whole in memory.

The manifest comes last because the hashes are only known once everything has been read. It
lists the database's and every file's size and SHA-256, in the order of the entries. Reading
checks each entry against it, and refuses any name that could land outside the folder it is
restored into: the encryption already proves the file is the one that was written, and these
checks make sure that even a backup crafted by someone holding the key cannot write elsewhere.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from .errors import BackupDamaged

DATABASE, FILE, MANIFEST = b"D", b"F", b"M"
BLOCK_SIZE = 1024 * 1024
_MAX_NAME = 4096  # PATH_MAX on Linux: a longer name could not be created anyway
_MAX_MANIFEST = 64 * 1024 * 1024  # about 300,000 files; a bound on what damage makes us hold
_END = (0).to_bytes(4, "big")


@dataclass(frozen=True)
class Entry:
    """One file in the backup, as the manifest lists it."""

    path: str  # relative to the files directory, "/" between folders
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    database_size: int
    database_sha256: str
    files: tuple[Entry, ...]

    @property
    def files_size(self) -> int:
        return sum(entry.size for entry in self.files)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "database": {"size": self.database_size, "sha256": self.database_sha256},
                "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.files],
            },
            sort_keys=True,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            fields = json.loads(data.decode("utf-8"))
            return cls(
                database_size=int(fields["database"]["size"]),
                database_sha256=str(fields["database"]["sha256"]),
                files=tuple(
                    Entry(
                        path=str(item["path"]), size=int(item["size"]), sha256=str(item["sha256"])
                    )
                    for item in fields["files"]
                ),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BackupDamaged("The backup's manifest is damaged (unreadable).") from error


def path_parts(name: str) -> tuple[str, ...]:
    """The folders and file name of a stored path, or refused if it could escape its folder.

    Applied when backing up (a name that could not be restored fails the backup, not the
    restore years later) and when reading (a crafted backup).
    """
    parts = tuple(name.split("/"))
    if (
        not name
        or "\x00" in name
        or len(name.encode("utf-8", "surrogateescape")) > _MAX_NAME
        or name.startswith("/")
        or any(part in {"", ".", ".."} for part in parts)
    ):
        raise BackupDamaged(
            f"The backup names a file {name!r} outside the files directory (an absolute path, "
            "'..', or an empty part): it was not made by cmetrack. Nothing was restored."
        )
    return parts


def _entry_start(kind: bytes, name: str = "") -> bytes:
    encoded = name.encode("utf-8")
    return kind + len(encoded).to_bytes(2, "big") + encoded


class _Tally:
    """The SHA-256 and size of what goes into one entry, counted as it goes."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0

    def add(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)


def _blocks(chunks: Iterable[bytes], tally: _Tally) -> Iterator[bytes]:
    for chunk in chunks:
        # Split what the source gives into blocks no bigger than a reader will accept.
        for at in range(0, len(chunk), BLOCK_SIZE):
            block = chunk[at : at + BLOCK_SIZE]
            tally.add(block)
            yield len(block).to_bytes(4, "big") + block
    yield _END


def entry(kind: bytes, name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """One entry, exactly as pack() writes it (the tests use it to craft hostile backups)."""
    yield _entry_start(kind, name)
    yield from _blocks(chunks, _Tally())


@dataclass(frozen=True)
class Source:
    """A file to back up: its stored path, and how to open it when its turn comes."""

    path: str
    open: Callable[[], BinaryIO]


def pack(
    database: Iterator[bytes], files: Iterable[Source], done: Callable[[Manifest], None]
) -> Generator[bytes]:
    """The plaintext of a backup, produced as it is consumed: database, files, then manifest.

    `done` is given the manifest once it is complete (the caller reports what was backed up).
    """
    tally = _Tally()
    yield _entry_start(DATABASE)
    try:
        yield from _blocks(database, tally)
    finally:
        # Closed early (the backup failed), the database's tool is stopped at once.
        close = getattr(database, "close", None)
        if close is not None:
            close()
    database_size, database_sha256 = tally.size, tally.digest.hexdigest()
    listed: list[Entry] = []
    for source in files:
        path_parts(source.path)
        try:
            handle = source.open()
        except FileNotFoundError:
            continue  # deleted since the folder was listed: it is not in the directory now
        with handle:
            tally = _Tally()
            yield _entry_start(FILE, source.path)
            yield from _blocks(iter(partial(handle.read, BLOCK_SIZE), b""), tally)
        listed.append(Entry(path=source.path, size=tally.size, sha256=tally.digest.hexdigest()))
    manifest = Manifest(
        database_size=database_size, database_sha256=database_sha256, files=tuple(listed)
    )
    yield from entry(MANIFEST, "", [manifest.to_json()])
    done(manifest)


class _Plaintext:
    """Exact reads over the decrypted chunks, which arrive in sizes of their own."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def _fill(self, size: int) -> bool:
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            self._buffer += chunk
        return True

    def read(self, size: int) -> bytes:
        if not self._fill(size):
            raise BackupDamaged("The backup's contents end in the middle of an entry (damaged).")
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def at_end(self) -> bool:
        # Asking for one more byte runs the file format's final check (the end not cut off).
        return not self._fill(1)


# Where unpack() puts a file's bytes: called with the file's path parts, returns the open file.
FileSink = Callable[[tuple[str, ...]], BinaryIO]


def _read_entry_start(plain: _Plaintext) -> tuple[bytes, str]:
    kind = plain.read(1)
    length = int.from_bytes(plain.read(2), "big")
    try:
        name = plain.read(length).decode("utf-8")
    except UnicodeDecodeError:
        raise BackupDamaged("The backup names a file in something other than UTF-8.") from None
    return kind, name


def _read_blocks(
    plain: _Plaintext, tally: _Tally, out: BinaryIO | None, limit: int | None = None
) -> None:
    while length := int.from_bytes(plain.read(4), "big"):
        if length > BLOCK_SIZE or (limit is not None and tally.size + length > limit):
            raise BackupDamaged("The backup's contents are damaged (an impossible length).")
        block = plain.read(length)
        tally.add(block)
        if out is not None:
            out.write(block)


def _refuse_mismatch(what: str) -> BackupDamaged:
    return BackupDamaged(
        f"{what} does not match its size and SHA-256 in the backup's manifest: the backup was "
        "changed after it was made, or not made by cmetrack. Nothing was restored."
    )


def unpack(chunks: Iterable[bytes], *, database: BinaryIO, files: FileSink | None) -> Manifest:
    """Write the database to `database` and each file to `files` (None: check only).

    Returns the manifest once every entry has matched it and the stream has ended. Until then
    what was written is unchecked, and the caller must not act on it.
    """
    plain = _Plaintext(chunks)
    kind, name = _read_entry_start(plain)
    if kind != DATABASE or name:
        raise BackupDamaged("The backup's contents are damaged (no database first).")
    db = _Tally()
    _read_blocks(plain, db, database)
    seen: list[Entry] = []
    names: set[str] = set()
    while True:
        kind, name = _read_entry_start(plain)
        if kind == MANIFEST and not name:
            break
        if kind != FILE:
            raise BackupDamaged("The backup's contents are damaged (an unknown entry).")
        parts = path_parts(name)
        if name in names:
            raise BackupDamaged(
                f"The backup holds the file {name!r} twice: it was not made by cmetrack. "
                "Nothing was restored."
            )
        names.add(name)
        tally = _Tally()
        if files is None:
            _read_blocks(plain, tally, None)
        else:
            with files(parts) as out:
                _read_blocks(plain, tally, out)
        seen.append(Entry(path=name, size=tally.size, sha256=tally.digest.hexdigest()))
    buffer = io.BytesIO()
    _read_blocks(plain, _Tally(), buffer, limit=_MAX_MANIFEST)
    if not plain.at_end():
        raise BackupDamaged("The backup's contents are damaged (something after the manifest).")
    manifest = Manifest.from_json(buffer.getvalue())
    if (manifest.database_size, manifest.database_sha256) != (db.size, db.digest.hexdigest()):
        raise _refuse_mismatch("The backup's database")
    for index, found in enumerate(seen):
        if index >= len(manifest.files) or manifest.files[index] != found:
            raise _refuse_mismatch(f"The backup's file {found.path!r}")
    if len(manifest.files) != len(seen):
        missing = manifest.files[len(seen)].path
        raise BackupDamaged(
            f"The backup's manifest lists a file that is not in it ({missing!r}): the backup was "
            "changed after it was made, or not made by cmetrack. Nothing was restored."
        )
    return manifest
