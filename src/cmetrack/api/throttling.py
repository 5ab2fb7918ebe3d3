"""Rate limits per token (CMETRACK_API_RATE, default 1200 a minute: 20 a second, above the
200-a-second target only when spread across ten systems).

Counted in the database, one row a token (`TokenRateCount`), by one statement a call: an
insert-or-update that moves the row into the current window and adds one, returning the counts.
Every gunicorn process and thread therefore counts against the same row (PostgreSQL locks it
for the moment of the update), and a call costs one round trip instead of the cache's read,
count and write of a whole list of timestamps.

The limit is a sliding window, estimated from two fixed ones: the calls in this window, plus
the previous window's calls weighted by how much of it the sliding window still covers. So a
token cannot send its whole rate at the end of one window and again at the start of the next,
as a plain fixed window would allow. A refused call is taken off again (a second statement, on
refusal only), so, as with DRF's own throttle, only the calls let through count.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.db import connection
from rest_framework.throttling import BaseThrottle

from .models import ApiToken, TokenRateCount

# Identifiers from the models, so a rename cannot leave this behind; values are parameters.
_TABLE = connection.ops.quote_name(TokenRateCount._meta.db_table)
_UPSERT = f"""
    INSERT INTO {_TABLE} (token_id, "window", "count", previous_count)
    VALUES (%s, %s, 1, 0)
    ON CONFLICT (token_id) DO UPDATE SET
        previous_count = CASE
            WHEN {_TABLE}."window" = excluded."window" THEN {_TABLE}.previous_count
            WHEN {_TABLE}."window" = excluded."window" - 1 THEN {_TABLE}."count"
            ELSE 0 END,
        "count" = CASE
            WHEN {_TABLE}."window" = excluded."window" THEN {_TABLE}."count" + 1
            ELSE 1 END,
        "window" = excluded."window"
    RETURNING previous_count, "count"
"""  # noqa: S608 - only the model's own table name is interpolated # nosec B608
_UNCOUNT = f"""
    UPDATE {_TABLE} SET "count" = "count" - 1
    WHERE token_id = %s AND "window" = %s AND "count" > 0
"""  # noqa: S608 - as above # nosec B608


def rate() -> tuple[int, int]:
    """(calls, seconds) from CMETRACK_API_RATE, as DRF writes a rate: "1200/min"."""
    calls, _, period = str(getattr(settings, "CMETRACK_API_RATE", "1200/min")).partition("/")
    return int(calls), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def count_call(token: ApiToken, *, period: int, now: float) -> tuple[int, int]:
    """Count one call of `token` in the window `now` falls in: (previous window's calls, this
    window's calls, this one included)."""
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [token.pk, int(now // period)])
        previous, current = cursor.fetchone()
    return int(previous), int(current)


def uncount_call(token: ApiToken, *, period: int, now: float) -> None:
    """Take back a refused call counted by count_call."""
    with connection.cursor() as cursor:
        cursor.execute(_UNCOUNT, [token.pk, int(now // period)])


def estimate(previous: int, current: int, *, period: int, now: float) -> float:
    """Calls in the last `period` seconds, estimated: this window's, and the share of the
    previous window's that the last `period` seconds still cover."""
    elapsed = (now % period) / period
    return previous * (1 - elapsed) + current


class TokenRateThrottle(BaseThrottle):
    scope = "token"

    def allow_request(self, request: Any, view: Any) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True  # refused by authentication anyway
        self.calls, self.period = rate()
        self.now = time.time()
        self.previous, self.current = count_call(token, period=self.period, now=self.now)
        if estimate(self.previous, self.current, period=self.period, now=self.now) <= self.calls:
            return True
        uncount_call(token, period=self.period, now=self.now)
        self.current -= 1
        return False

    def wait(self) -> float | None:
        """Seconds until the next call would be let through (the Retry-After header)."""
        into_window = (self.now % self.period) / self.period
        left_in_window = self.period * (1 - into_window)
        if self.current + 1 > self.calls:
            # Not in this window; in the next, these calls are the previous window's, fading.
            share = max(0.0, 1 - (self.calls - 1) / self.current)
            return math.ceil(left_in_window + share * self.period)
        # The previous window's share fades as time passes: when does it leave room for one?
        needed = 1 - (self.calls - self.current - 1) / self.previous if self.previous else 0
        return max(1, math.ceil(min((needed - into_window) * self.period, left_in_window)))
