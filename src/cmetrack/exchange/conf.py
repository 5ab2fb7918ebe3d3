"""The exchange's settings, read at each use so a test or a changed setting takes effect at once.
Each is a Django setting of the same name, or else the environment variable (docs/exchange.md).

- CMETRACK_EXCHANGE_KEY: the Fernet key the peers' tokens and signing secrets are encrypted
  with at rest. Kept apart from SECRET_KEY: rotating the session key must not lose the peers,
  and a leaked SECRET_KEY must not open them. `cmetrack exchange-peer generate-key` makes one.
- CMETRACK_EXCHANGE_ALLOW_HTTP: allow http:// for a peer on 127.0.0.1 or localhost (tests, a
  demo on one machine). Everything else is https, certificates checked.
- CMETRACK_EXCHANGE_MAX_ATTEMPTS: deliveries tried before the team is alerted (default 8).
- CMETRACK_EXCHANGE_TIMEOUT: seconds to wait for a peer's answer (default 20).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings


def _setting(name: str, default: str) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def encryption_key() -> str:
    return str(_setting("CMETRACK_EXCHANGE_KEY", "")).strip()


def allow_http_loopback() -> bool:
    value = _setting("CMETRACK_EXCHANGE_ALLOW_HTTP", "false")
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def max_attempts() -> int:
    return max(1, int(_setting("CMETRACK_EXCHANGE_MAX_ATTEMPTS", "8")))


def timeout() -> float:
    return float(_setting("CMETRACK_EXCHANGE_TIMEOUT", "20"))
