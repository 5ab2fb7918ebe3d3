"""The backup key: 32 random bytes in base64, from CMETRACK_BACKUP_KEY or a file.

The key is kept apart from the backups (a backup beside its key protects nothing). A key id,
derived one-way from the key, is written in each file's header so a restore with the wrong key
says so plainly instead of reporting damage.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .errors import BackupKeyError

KEY_BYTES = 32  # AES-256
_HOW_TO_MAKE = "make one with `cmetrack backup --generate-key`"


def key_generate() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_decode(text: str) -> bytes:
    # Standard and URL-safe base64 both accepted: people paste keys from different tools.
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise BackupKeyError(
            f"The backup key must be {KEY_BYTES} random bytes in base64 (44 characters); "
            f"{_HOW_TO_MAKE}."
        )
    return key


def _setting(name: str) -> str:
    # Read from settings (where the lead's base settings put the environment variable); the
    # environment itself is the fallback so the command works before the setting exists.
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value or "").strip()


def configured_key() -> bytes:
    value, file = _setting("CMETRACK_BACKUP_KEY"), _setting("CMETRACK_BACKUP_KEY_FILE")
    if value and file:
        raise BackupKeyError("Set CMETRACK_BACKUP_KEY or CMETRACK_BACKUP_KEY_FILE, not both.")
    if file:
        try:
            value = Path(file).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise BackupKeyError(
                f"Cannot read the backup key file CMETRACK_BACKUP_KEY_FILE={file} "
                f"({type(error).__name__})."
            ) from error
    if not value:
        raise BackupKeyError(
            f"No backup key: set CMETRACK_BACKUP_KEY or CMETRACK_BACKUP_KEY_FILE ({_HOW_TO_MAKE}, "
            "and keep it somewhere other than the backups)."
        )
    return key_decode(value)


def _derive(key: bytes, *, info: bytes, salt: bytes | None, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(key)


def key_id(key: bytes) -> str:
    """A short public name for the key: tells "wrong key" from "damaged", reveals nothing."""
    return _derive(key, info=b"cmetrack-backup/key-id", salt=None, length=8).hex()


def file_key(key: bytes, salt: bytes) -> bytes:
    """Each file has its own AES key, so nonces never repeat under one key across files."""
    return _derive(key, info=b"cmetrack-backup/1/file-key", salt=salt, length=KEY_BYTES)
