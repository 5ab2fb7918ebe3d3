"""System checks (`cmetrack check --deploy`) for the account settings an operator sets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from .client_address import invalid_trusted_proxies


@checks.register(checks.Tags.security)
def trusted_proxies_check(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    entries = list(getattr(settings, "CMETRACK_TRUSTED_PROXIES", []))
    invalid = invalid_trusted_proxies(entries)
    if not invalid:
        return []
    return [
        checks.Warning(
            f"CMETRACK_TRUSTED_PROXIES has entries that are not an address or network: "
            f"{', '.join(invalid)}. They are ignored.",
            hint='Name each reverse proxy, e.g. "127.0.0.1,10.0.0.0/24". "*" is not allowed: '
            "trusting every peer would believe any client's X-Forwarded-For.",
            id="cmetrack.accounts.W001",
        )
    ]
