"""A peer authority (Knowsley, 340) for Sefton's installation, and a client that calls as it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from cmetrack.accounts.models import User
from cmetrack.api.models import Scope
from cmetrack.api.signing import signed_headers
from cmetrack.api.tokens import api_token_issue
from cmetrack.exchange.crypto import generate_key
from cmetrack.exchange.models import Peer
from cmetrack.exchange.services.peers import generate_signing_secret, peer_add

KNOWSLEY = "340"
NOTIFICATIONS = "/api/v1/exchange/notifications/"
REPLIES = "/api/v1/exchange/replies/"
WITHDRAWALS = "/api/v1/exchange/withdrawals/"


@pytest.fixture(autouse=True)
def _exchange_key(settings: SettingsWrapper) -> None:
    settings.CMETRACK_EXCHANGE_KEY = generate_key()
    cache.clear()


@pytest.fixture
def secret() -> str:
    return generate_signing_secret()


@pytest.fixture
def peer(admin_user: User, secret: str) -> Peer:
    return peer_add(
        la_code=KNOWSLEY,
        name="Knowsley Council",
        base_url="https://cmetrack.knowsley.example",
        token="cmt_" + "k" * 43,
        signing_secret=secret,
        by=admin_user,
    )


class PeerClient:
    """Calls the API as a token's account, signing each request (unless told not to)."""

    def __init__(self, token: str, secret: str | None) -> None:
        self.client = Client(HTTP_HOST="127.0.0.1")
        self.token, self.secret = token, secret

    def post(
        self,
        path: str,
        payload: Any,
        *,
        sign: bool = True,
        now: float | None = None,
        signed_body: bytes | None = None,
    ) -> Any:
        body = json.dumps(payload).encode()
        headers = {"Authorization": f"Bearer {self.token}"}
        if sign and self.secret is not None:
            headers |= signed_headers(
                self.secret.encode(),
                method="POST",
                path=path,
                body=body if signed_body is None else signed_body,
                now=now,
            )
        return self.client.post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def token_for(admin_user: User) -> Callable[[User], str]:
    def issue(user: User) -> str:
        _, plain = api_token_issue(
            user=user, name="test", scopes=[Scope.SUBMIT, Scope.READ], days=30, by=admin_user
        )
        return plain

    return issue


@pytest.fixture
def as_peer(peer: Peer, secret: str, token_for: Callable[[User], str]) -> PeerClient:
    return PeerClient(token_for(peer.account), secret)


def handover_message(message_id: str, reference: str = "OLA-KNOW-0001") -> dict[str, Any]:
    return {
        "message_id": message_id,
        "reference": reference,
        "notification": {
            "nature": "moved_in",
            "forenames": "Amelia",
            "surname": "Porter",
            "date_of_birth": "2015-03-27",
            "sex": "F",
            "address_line_1": "4 Church Road",
            "town": "Bootle",
            "postcode": "L20 3AB",
            "concerns": "Moved with her mother; no school place yet.",
            "officer_name": "Pat Jones",
            "officer_email": "pat.jones@knowsley.example",
        },
    }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "two_installations: runs a second cmetrack in a subprocess (about 20 s, most of it "
        "migrating its database)",
    )
