"""Encryption at rest of what a peer gave us (its API token for us, the shared signing secret).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with CMETRACK_EXCHANGE_KEY: a copy
of the database alone (a backup, a leaked dump) does not let anyone call another authority as
us. The key may list several, comma-separated, newest first, so it can be rotated: new values
are written with the first, and old ones still read (MultiFernet).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .conf import encryption_key


class KeyMissing(Exception):
    pass


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in encryption_key().split(",") if k.strip()]
    if not keys:
        raise KeyMissing(
            "Set CMETRACK_EXCHANGE_KEY first (make one with `cmetrack exchange-peer "
            "generate-key`): a peer's token and secret are kept encrypted with it."
        )
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as error:
        raise KeyMissing(f"CMETRACK_EXCHANGE_KEY is not a Fernet key: {error}") from error


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as error:
        raise KeyMissing(
            "A peer's stored secret cannot be read with CMETRACK_EXCHANGE_KEY: the key changed "
            "without keeping the old one after it."
        ) from error
