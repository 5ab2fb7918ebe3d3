"""The rate limit per token (api/throttling.py): counted in the database, one row a token, so
every gunicorn process and thread counts against the same number."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, connections

from cmetrack.accounts.models import User
from cmetrack.api import throttling
from cmetrack.api.models import ApiToken, TokenRateCount
from cmetrack.api.tokens import api_token_issue

from .conftest import ApiClient

SUBMISSIONS = "/api/v1/submissions/"


def _codes(api: ApiClient, n: int) -> list[int]:
    return [api.get(SUBMISSIONS).status_code for _ in range(n)]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Set the throttle's clock (Unix seconds)."""

    def set_to(seconds: float) -> None:
        monkeypatch.setattr(throttling.time, "time", lambda: seconds)

    return set_to


def test_the_count_is_the_tokens_row_not_a_process_cache(
    school_user: User, api_for: Callable[..., ApiClient], settings: Any
) -> None:
    settings.CMETRACK_API_RATE = "3/min"
    api = api_for(school_user)

    assert _codes(api, 3) == [200, 200, 200]
    cache.clear()  # nothing of the count is in a cache (or in this process)
    # A new client is a new connection, as another gunicorn process would have.
    again = ApiClient(None)
    again.headers = api.headers

    assert _codes(again, 1) == [429]
    token = ApiToken.objects.get(user=school_user)
    assert TokenRateCount.objects.get(token=token).count == 3  # the refused call not counted


def test_each_token_has_its_own_limit(
    school_user: User, api_for: Callable[..., ApiClient], settings: Any
) -> None:
    settings.CMETRACK_API_RATE = "2/min"
    first, second = api_for(school_user), api_for(school_user)

    assert _codes(first, 3) == [200, 200, 429]
    assert _codes(second, 2) == [200, 200]


def test_refused_with_retry_after(
    school_user: User, api_for: Callable[..., ApiClient], settings: Any, clock: Any
) -> None:
    settings.CMETRACK_API_RATE = "2/min"
    clock(60 * 1000 + 15)  # 15 s into a window
    api = api_for(school_user)
    _codes(api, 2)

    refused = api.get(SUBMISSIONS)

    assert refused.status_code == 429
    # Not before this window ends (45 s), nor while the previous window's two still weigh
    # more than one (half of the next window: 30 s more).
    assert refused["Retry-After"] == "75"
    assert refused.json()["errors"][0]["message"]


def test_the_window_slides_the_previous_windows_calls_still_count(
    school_user: User, api_for: Callable[..., ApiClient], settings: Any, clock: Any
) -> None:
    settings.CMETRACK_API_RATE = "4/min"
    api = api_for(school_user)
    clock(60 * 1000 + 59)  # the last second of a window
    assert _codes(api, 4) == [200] * 4

    clock(60 * 1001 + 1)  # just into the next: a plain fixed window would allow 4 more
    assert _codes(api, 1) == [429]

    clock(60 * 1001 + 30)  # half-way: the previous window's 4 weigh 2
    assert _codes(api, 3) == [200, 200, 429]

    clock(60 * 1003)  # two windows on: nothing counts
    assert _codes(api, 4) == [200] * 4


@pytest.mark.django_db(transaction=True)
def test_calls_at_once_from_many_connections_are_each_counted(
    school_user: User, admin_user: User
) -> None:
    """What several gunicorn processes do: count the same token at the same moment, each on
    its own connection. No call is lost (the count is one statement on one row)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite in memory serialises them)")
    token, _ = api_token_issue(user=school_user, name="x", scopes=["read"], days=1, by=admin_user)
    counted: list[int] = []
    start = threading.Barrier(4)

    def count() -> None:
        try:
            start.wait()
            for _ in range(25):
                counted.append(throttling.count_call(token, period=3600, now=3600 * 10.5)[1])
        finally:
            connections.close_all()

    workers = [threading.Thread(target=count) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(counted) == list(range(1, 101))
    assert TokenRateCount.objects.get(token=token).count == 100
