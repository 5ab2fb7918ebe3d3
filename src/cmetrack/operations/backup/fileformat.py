"""The encrypted backup file (docs/backup.md, "The file format").

    magic        16 bytes   b"CMETRACK-BACKUP\\n"
    version       1 byte    2 (1: the database alone; 2: database, files and manifest)
    header size   4 bytes   big-endian
    header        UTF-8 JSON: what the backup is, and the salt, nonce prefix and key id
    chunks        each a 4-byte big-endian length, then AES-256-GCM ciphertext and its tag

The header is readable without the key (it holds no personal data) and is authenticated: every
byte before the first chunk is the associated data of every chunk. The nonce of chunk i is the
file's random 7-byte prefix, i as 4 bytes and a final flag (1 on the last chunk, 0 before), the
STREAM construction: a reordered, dropped, added or cut-off chunk fails its tag.

This layer seals whatever plaintext it is given; what that plaintext holds is the version's
business: in version 1 the database payload itself, in version 2 the entries of contents.py.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import BackupDamaged, BackupError, BackupKeyError
from .keys import file_key, key_id

MAGIC = b"CMETRACK-BACKUP\n"
FORMAT_VERSION = 2
# Version 1 (before backups held the files directory) is still read: such a backup restores
# the database alone.
READABLE_VERSIONS = frozenset({1, 2})
CHUNK_SIZE = 1024 * 1024
_TAG = 16
_MAX_HEADER = 1024 * 1024
_MAX_CHUNK = 64 * 1024 * 1024  # a bound on what a damaged length field can make us read
_SALT, _PREFIX = 16, 7
_CUT_SHORT = "The backup file is cut short (truncated): it cannot be restored."


@dataclass(frozen=True)
class Metadata:
    """What the backup is. Stored in the clear; none of it is about a child."""

    vendor: str  # Django's connection.vendor: "sqlite" or "postgresql"
    payload: str  # "sqlite3-database" or "pg_dump-custom"
    created_at: str  # ISO 8601, UTC
    migrations: dict[str, str]  # latest applied migration per app
    cmetrack_version: str
    django_version: str


@dataclass(frozen=True)
class Header:
    version: int
    metadata: Metadata
    key_id: str
    salt: bytes
    nonce_prefix: bytes
    chunk_size: int
    raw: bytes  # every byte before the first chunk: the associated data


def _nonce(prefix: bytes, index: int, *, final: bool) -> bytes:
    if index >= 2**32:
        raise BackupError("The backup is too large for this file format.")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if final else b"\x00")


def _header_bytes(fields: dict[str, Any], version: int) -> bytes:
    body = json.dumps(fields, sort_keys=True).encode("utf-8")
    return MAGIC + bytes([version]) + len(body).to_bytes(4, "big") + body


class EncryptedWriter:
    """Writes the header, then seals the plaintext it is given in chunks as they fill.

    `version` is only ever other than FORMAT_VERSION in tests, to make an old-format file.
    """

    def __init__(
        self,
        out: BinaryIO,
        key: bytes,
        metadata: Metadata,
        *,
        chunk_size: int = CHUNK_SIZE,
        version: int = FORMAT_VERSION,
    ):
        salt, self._prefix = os.urandom(_SALT), os.urandom(_PREFIX)
        self.header = _header_bytes(
            {
                **asdict(metadata),
                "cipher": "AES-256-GCM, HKDF-SHA256 file key, STREAM chunks",
                "key_id": key_id(key),
                "salt": salt.hex(),
                "nonce_prefix": self._prefix.hex(),
                "chunk_size": chunk_size,
            },
            version,
        )
        self._out, self._chunk_size = out, chunk_size
        self._aead = AESGCM(file_key(key, salt))
        self._buffer = bytearray()
        self._index = 0
        self.sha256 = hashlib.sha256()
        self._emit(self.header)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self.sha256.update(data)

    def _seal(self, plain: bytes, *, final: bool) -> None:
        nonce = _nonce(self._prefix, self._index, final=final)
        sealed = self._aead.encrypt(nonce, plain, self.header)
        self._emit(len(sealed).to_bytes(4, "big") + sealed)
        self._index += 1

    def write(self, data: bytes) -> None:
        self._buffer += data
        # Keep at least one byte back, so the last chunk is always sealed by finish() as final.
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), final=False)
            del self._buffer[: self._chunk_size]

    def finish(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()


class EncryptedReader:
    """Reads the header at once; yields the plaintext only chunk by verified chunk."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self.sha256 = hashlib.sha256()
        self.header = self._read_header()

    def _read(self, size: int) -> bytes:
        data = self._source.read(size)
        self.sha256.update(data)
        return data

    def _read_exactly(self, size: int) -> bytes:
        data = self._read(size)
        if len(data) != size:
            raise BackupDamaged(_CUT_SHORT)
        return data

    def _read_header(self) -> Header:
        start = self._read(len(MAGIC) + 1)
        if start[: len(MAGIC)] != MAGIC:
            raise BackupDamaged("This is not a cmetrack backup file (its first bytes are wrong).")
        version = start[len(MAGIC)] if len(start) > len(MAGIC) else 0
        if version not in READABLE_VERSIONS:
            raise BackupDamaged(
                "This backup's file format is not one this version of cmetrack reads: "
                "upgrade cmetrack, or the file is damaged."
            )
        size_bytes = self._read_exactly(4)
        size = int.from_bytes(size_bytes, "big")
        if size > _MAX_HEADER:
            raise BackupDamaged("The backup's header is damaged (impossible length).")
        body = self._read_exactly(size)
        try:
            fields = json.loads(body.decode("utf-8"))
            metadata = Metadata(**{name: fields[name] for name in Metadata.__dataclass_fields__})
            header = Header(
                version=version,
                metadata=metadata,
                key_id=str(fields["key_id"]),
                salt=bytes.fromhex(fields["salt"]),
                nonce_prefix=bytes.fromhex(fields["nonce_prefix"]),
                chunk_size=int(fields["chunk_size"]),
                raw=start + size_bytes + body,
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BackupDamaged("The backup's header is damaged (unreadable).") from error
        if len(header.nonce_prefix) != _PREFIX or not 0 < header.chunk_size <= _MAX_CHUNK:
            raise BackupDamaged("The backup's header is damaged (impossible values).")
        return header

    def _read_length(self) -> int | None:
        data = self._read(4)
        if not data:
            return None
        if len(data) != 4:
            raise BackupDamaged(_CUT_SHORT)
        length = int.from_bytes(data, "big")
        if not _TAG <= length <= self.header.chunk_size + _TAG:
            raise BackupDamaged("The backup file is damaged (a chunk has an impossible length).")
        return length

    def chunks(self, key: bytes) -> Iterator[bytes]:
        """Every chunk is checked before it is yielded; the end is checked after the last one.

        Nothing yielded may be acted on until the iterator is exhausted: only then is it known
        that the file was not cut short.
        """
        if key_id(key) != self.header.key_id:
            raise BackupKeyError(
                "This backup was made with a different key than the one configured "
                f"(the file's key id is {self.header.key_id}, this key's is {key_id(key)}). "
                "Nothing was restored: set CMETRACK_BACKUP_KEY (or _FILE) to the key it was "
                "made with."
            )
        aead = AESGCM(file_key(key, self.header.salt))
        length = self._read_length()
        if length is None:
            raise BackupDamaged(_CUT_SHORT)
        index = 0
        while length is not None:
            sealed = self._read_exactly(length)
            following = self._read_length()
            # The chunk is the last one exactly when nothing follows it: a file cut at a chunk
            # boundary ends on a chunk sealed as "not final", and fails here.
            nonce = _nonce(self.header.nonce_prefix, index, final=following is None)
            try:
                yield aead.decrypt(nonce, sealed, self.header.raw)
            except InvalidTag:
                raise BackupDamaged(
                    f"The backup file failed its integrity check at chunk {index + 1}: it was "
                    "changed, damaged or cut short after it was made. Nothing can be restored "
                    "from it; use another backup."
                ) from None
            index, length = index + 1, following
