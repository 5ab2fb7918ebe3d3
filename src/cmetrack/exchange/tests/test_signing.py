"""Signed requests: the right secret over the right method, path, time and body, or 401."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from cmetrack.accounts.models import User
from cmetrack.api.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WINDOW,
    signature,
    signature_problem,
    signed_headers,
)
from cmetrack.referrals.models import OtherLaNotification

from .conftest import NOTIFICATIONS, PeerClient, handover_message

SECRET = b"a-shared-secret-of-at-least-thirty-two-characters"
BODY = b'{"message_id": "1"}'


def _problem(secret: bytes = SECRET, **changes: Any) -> str | None:
    headers = signed_headers(SECRET, method="POST", path="/api/v1/x/", body=BODY, now=1_000_000)
    asked: dict[str, Any] = {
        "method": "POST",
        "path": "/api/v1/x/",
        "timestamp": headers[TIMESTAMP_HEADER],
        "given": headers[SIGNATURE_HEADER],
        "body": BODY,
        "now": 1_000_000,
    }
    asked |= changes
    return signature_problem(secret, **asked)


def test_a_good_signature_passes() -> None:
    assert _problem() is None
    assert _problem(now=1_000_000 + WINDOW) is None  # at the edge of the window


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"body": b'{"message_id": "2"}'}, "does not match"),
        ({"path": "/api/v1/y/"}, "does not match"),
        ({"method": "PUT"}, "does not match"),
        ({"given": "v1=" + "0" * 64}, "does not match"),
        ({"now": 1_000_000 + WINDOW + 1}, "minutes from this server's clock"),
        ({"now": 1_000_000 - WINDOW - 1}, "minutes from this server's clock"),
        ({"timestamp": "yesterday"}, "Unix seconds"),
        ({"given": ""}, "must be signed"),
    ],
)
def test_a_changed_request_is_refused(changes: dict[str, Any], why: str) -> None:
    problem = _problem(**changes)
    assert problem is not None and why in problem


def test_the_wrong_secret_is_refused() -> None:
    problem = _problem(secret=b"another-secret-of-at-least-thirty-two-chars")
    assert problem is not None and "does not match" in problem


def test_the_signature_covers_method_path_time_and_body_in_order() -> None:
    expected = hmac.new(SECRET, b"POST\n/p/\n123\n" + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, method="post", path="/p/", timestamp="123", body=BODY) == (
        "v1=" + expected
    )


# --- through the API ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_call_from_a_peer_is_taken(as_peer: PeerClient) -> None:
    assert as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4()))).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["unsigned", "stale", "body-changed", "wrong-secret"])
def test_a_badly_signed_call_from_a_peer_is_401_and_records_nothing(
    as_peer: PeerClient, how: str
) -> None:
    message = handover_message(str(uuid.uuid4()))
    if how == "unsigned":
        answer = as_peer.post(NOTIFICATIONS, message, sign=False)
    elif how == "stale":
        answer = as_peer.post(NOTIFICATIONS, message, now=time.time() - WINDOW - 5)
    elif how == "body-changed":
        # A replay of a signed request with its body altered on the way.
        original = handover_message(message["message_id"])
        answer = as_peer.post(
            NOTIFICATIONS,
            {**message, "reference": "OLA-ALTERED"},
            signed_body=json.dumps(original).encode(),
        )
    else:
        as_peer.secret = "x" * 43
        answer = as_peer.post(NOTIFICATIONS, message)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["field"] is None
    assert not OtherLaNotification.objects.exists()


@pytest.mark.django_db
def test_a_token_of_an_account_that_is_no_peer_need_not_sign(
    officer: User, token_for: Callable[[User], str]
) -> None:
    # The existing API's clients (schools' MIS, the team's tools) are not asked to sign.
    answer = Client().get(
        "/api/v1/cases/", headers={"Authorization": f"Bearer {token_for(officer)}"}
    )
    assert answer.status_code == 200


@pytest.mark.django_db
def test_a_peer_whose_secret_cannot_be_read_is_refused(as_peer: PeerClient, settings: Any) -> None:
    # The key changed without keeping the old one: fail closed, never "need not sign".
    from cmetrack.exchange.crypto import generate_key

    settings.CMETRACK_EXCHANGE_KEY = generate_key()
    answer = as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    assert answer.status_code == 401
    assert not OtherLaNotification.objects.exists()
