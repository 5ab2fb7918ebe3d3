"""Tokens for the personas, and a client that sends one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from cmetrack.accounts.models import User
from cmetrack.api.models import Scope
from cmetrack.api.tokens import api_token_issue

ALL_SCOPES = [Scope.SUBMIT, Scope.READ]


class ApiClient:
    """JSON in, JSON out, with the bearer token on every request."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(HTTP_HOST="127.0.0.1")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, payload: Any) -> Any:
        return self.client.post(
            path, payload, content_type="application/json", headers=self.headers
        )


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    cache.clear()


@pytest.fixture
def api_for(admin_user: User) -> Callable[..., ApiClient]:
    def make(user: User, scopes: list[str] | None = None) -> ApiClient:
        chosen: list[str] = scopes or [str(s) for s in ALL_SCOPES]
        _, plain = api_token_issue(
            user=user,
            name=f"{user.username} system",
            scopes=chosen,
            days=30,
            by=admin_user,
        )
        return ApiClient(plain)

    return make
