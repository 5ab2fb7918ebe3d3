"""Rate limits per token (CMETRACK_API_RATE, default 1200 a minute: 20 a second, above the
200-a-second target only when spread across ten systems), counted in the shared cache."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return str(getattr(settings, "CMETRACK_API_RATE", "1200/min"))

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None  # refused by authentication anyway
        return f"api-throttle:{token.pk}"
