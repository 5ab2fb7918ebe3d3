"""Signed requests between two authorities' cmetrack installations (docs/exchange.md).

A request carries two headers:

    X-Cmetrack-Timestamp: 1796300000            (Unix seconds when it was signed)
    X-Cmetrack-Signature: v1=<hex HMAC-SHA256>   (over method, path, timestamp and body)

The HMAC is over `METHOD\\nPATH\\nTIMESTAMP\\n` followed by the body's bytes, keyed with the
secret the two authorities share. The receiver refuses a wrong signature (tampered body, path
or method, or the wrong secret) and a timestamp outside `WINDOW` either way (a replay of an
old request); a replay inside the window is a message already recorded, which the exchange
records once by its message id.

Which accounts must sign is known only to the exchange app, above this one: it registers a
lookup (`register_signing_secret`) from a token's account to the secret, and a token whose
account has one is refused unless its request is signed with it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from cmetrack.accounts.models import User

TIMESTAMP_HEADER = "X-Cmetrack-Timestamp"
SIGNATURE_HEADER = "X-Cmetrack-Signature"
VERSION = "v1"
# Five minutes either way: room for clocks a little apart, too little to keep a copy for later.
WINDOW = 300

SecretLookup = Callable[[User], bytes | None]
_lookups: list[SecretLookup] = []


def register_signing_secret(lookup: SecretLookup) -> None:
    """For an app above: `lookup(user)` gives the secret that account's requests must be
    signed with, or None if it need not sign."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def signing_secret_for(user: User) -> bytes | None:
    for lookup in _lookups:
        secret = lookup(user)
        if secret:
            return secret
    return None


def signature(secret: bytes, *, method: str, path: str, timestamp: str, body: bytes) -> str:
    signed = f"{method.upper()}\n{path}\n{timestamp}\n".encode() + body
    return f"{VERSION}=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()


def signed_headers(
    secret: bytes, *, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(
            secret, method=method, path=path, timestamp=timestamp, body=body
        ),
    }


def signature_problem(
    secret: bytes,
    *,
    method: str,
    path: str,
    timestamp: str,
    given: str,
    body: bytes,
    now: float | None = None,
) -> str | None:
    """Why this request's signature is refused, or None if it is good."""
    if not timestamp or not given:
        return (
            f"This account's requests must be signed ({TIMESTAMP_HEADER} and {SIGNATURE_HEADER})."
        )
    try:
        signed_at = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be Unix seconds."
    if abs((time.time() if now is None else now) - signed_at) > WINDOW:
        return f"{TIMESTAMP_HEADER} is more than {WINDOW // 60} minutes from this server's clock."
    expected = signature(secret, method=method, path=path, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        return "The request's signature does not match."
    return None
