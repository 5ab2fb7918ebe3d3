"""Which tokens must sign is read with the token itself (api/token_lookup.py), so it is never
stale: a peer added, or a peer's secret changed, counts from the very next call, however many
calls this process has answered before, and a plain token's call asks no query of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cmetrack.accounts.models import Organisation, User
from cmetrack.exchange.crypto import encrypt
from cmetrack.exchange.models import Peer
from cmetrack.exchange.services import peers
from cmetrack.exchange.services.peers import (
    generate_signing_secret,
    peer_add,
    signing_secret_for_account,
)

from .conftest import KNOWSLEY, NOTIFICATIONS, PeerClient, handover_message

pytestmark = pytest.mark.django_db


def _send(client: PeerClient, *, sign: bool = True) -> int:
    return int(
        client.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())), sign=sign).status_code
    )


@pytest.fixture
def knowsley_account() -> User:
    """Another authority's account that is not (yet) a peer's."""
    org = Organisation.objects.create(
        kind=Organisation.Kind.OTHER_LA, name="Knowsley Council", la_code=KNOWSLEY
    )
    return User.objects.create_user(
        username="knowsley-system", role=User.Role.OTHER_LA_USER, organisation=org
    )


def test_an_account_made_a_peer_must_sign_from_its_next_call(
    knowsley_account: User, admin_user: User, token_for: Callable[[User], str]
) -> None:
    secret = generate_signing_secret()
    client = PeerClient(token_for(knowsley_account), secret)
    # Not a peer yet: no signature asked (the endpoint itself then refuses a non-peer), and
    # this process has answered its token's calls before the peer exists.
    for _ in range(3):
        assert _send(client, sign=False) == 403
    peer_add(
        la_code=KNOWSLEY,
        name="Knowsley Council",
        base_url="https://cmetrack.knowsley.example",
        token="",
        signing_secret=secret,
        by=admin_user,
        account=knowsley_account,
    )
    answer = client.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())), sign=False)
    assert answer.status_code == 401 and "must be signed" in answer.content.decode()
    assert _send(client) == 201


def test_a_changed_secret_counts_from_the_next_call(
    peer: Peer, secret: str, token_for: Callable[[User], str]
) -> None:
    token = token_for(peer.account)
    old = PeerClient(token, secret)
    assert _send(old) == 201
    assert _send(old) == 201  # the old secret's decryption is remembered by now
    new_secret = generate_signing_secret()
    peer.signing_secret_encrypted = encrypt(new_secret)
    peer.save(update_fields=["signing_secret_encrypted"])
    answer = old.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    assert answer.status_code == 401 and "does not match" in answer.content.decode()
    assert _send(PeerClient(token, new_secret)) == 201


def test_a_removed_peer_whose_record_stays_must_still_sign(
    peer: Peer, secret: str, token_for: Callable[[User], str]
) -> None:
    client = PeerClient(token_for(peer.account), secret)
    Peer.objects.filter(pk=peer.pk).update(active=False)
    answer = client.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())), sign=False)
    assert answer.status_code == 401


def test_a_secret_that_cannot_be_read_refuses_every_call(
    peer: Peer, secret: str, token_for: Callable[[User], str], settings: object
) -> None:
    client = PeerClient(token_for(peer.account), secret)
    assert _send(client) == 201
    from cmetrack.exchange.crypto import generate_key

    settings.CMETRACK_EXCHANGE_KEY = generate_key()  # type: ignore[attr-defined]
    answer = client.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    assert answer.status_code == 401  # not the secret remembered under the old key


def test_the_peer_check_costs_no_query_of_its_own(
    knowsley_account: User, token_for: Callable[[User], str]
) -> None:
    client = Client(headers={"Authorization": f"Bearer {token_for(knowsley_account)}"})
    with CaptureQueriesContext(connection) as seen:
        assert client.get("/api/v1/submissions/").status_code == 200
    asking = [q["sql"] for q in seen.captured_queries if "exchange_peer" in q["sql"]]
    assert len(asking) == 1 and "api_apitoken" in asking[0]  # the token's own query


def test_an_account_not_loaded_with_its_token_is_looked_up(peer: Peer, secret: str) -> None:
    assert signing_secret_for_account(User.objects.get(pk=peer.account_id)) == secret.encode()
    other = User.objects.create_user(username="someone", role=User.Role.SCHOOL_USER)
    assert signing_secret_for_account(other) is None
    assert peers.PEER_ROW == "exchange_peer"
