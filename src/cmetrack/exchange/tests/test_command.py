"""`cmetrack exchange-peer`: add, list and revoke a peer; its token and secret kept encrypted."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cmetrack.accounts.models import User
from cmetrack.api.models import ApiToken
from cmetrack.api.tokens import token_hash
from cmetrack.exchange.crypto import decrypt
from cmetrack.exchange.models import Peer
from cmetrack.exchange.services.peers import peer_secret, peer_token

pytestmark = pytest.mark.django_db

TOKEN = "cmt_" + "t" * 43
SECRET = "s" * 40


def _run(*args: str) -> str:
    out = StringIO()
    call_command("exchange_peer", *args, stdout=out)
    return out.getvalue()


def _add(admin_user: User, *extra: str) -> str:
    return _run(
        "add",
        "--la-code",
        "340",
        "--name",
        "Knowsley Council",
        "--base-url",
        "https://cmetrack.knowsley.example/",
        "--token",
        TOKEN,
        "--secret",
        SECRET,
        "--by",
        admin_user.username,
        *extra,
    )


def test_add_keeps_the_token_and_secret_encrypted_and_issues_ours(admin_user: User) -> None:
    out = _add(admin_user, "--issue-token")
    peer = Peer.objects.get()
    assert peer.base_url == "https://cmetrack.knowsley.example"
    assert TOKEN not in peer.token_encrypted and SECRET not in peer.signing_secret_encrypted
    assert peer_token(peer) == TOKEN and peer_secret(peer) == SECRET.encode()
    assert peer.account.role == User.Role.OTHER_LA_USER
    assert peer.account.organisation is not None
    assert peer.account.organisation.la_code == "340"
    assert not peer.account.has_usable_password()
    issued = out.strip().splitlines()[-1]
    assert issued.startswith("cmt_")
    token = ApiToken.objects.get(key_hash=token_hash(issued))
    assert token.user == peer.account and token.scopes == ["submit"]


def test_list_shows_no_secret(admin_user: User) -> None:
    _add(admin_user)
    out = _run("list")
    assert "340  Knowsley Council  https://cmetrack.knowsley.example  active" in out
    assert TOKEN not in out and SECRET not in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--base-url", "http://cmetrack.knowsley.example"), "must be https"),
        (("--token", "not-a-token"), "API token"),
        (("--secret", "short"), "at least 32"),
        (("--la-code", "34"), "three-digit"),
        (("--la-code", "343"), "this authority's own"),
    ],
)
def test_add_refuses_a_bad_peer(admin_user: User, change: tuple[str, str], message: str) -> None:
    args = {
        "--la-code": "340",
        "--name": "Knowsley",
        "--base-url": "https://k.example",
        "--token": TOKEN,
        "--secret": SECRET,
        "--by": admin_user.username,
    }
    args[change[0]] = change[1]
    with pytest.raises(CommandError, match=message):
        _run("add", *[part for pair in args.items() for part in pair])
    assert not Peer.objects.exists()


def test_only_an_administrator_adds_a_peer(officer: User) -> None:
    with pytest.raises(CommandError, match="Only an administrator"):
        _add(officer)


def test_without_the_key_nothing_is_stored(admin_user: User, settings: object) -> None:
    settings.CMETRACK_EXCHANGE_KEY = ""  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="CMETRACK_EXCHANGE_KEY"):
        _add(admin_user)
    assert not Peer.objects.exists()


def test_revoke_stops_the_peer_and_its_tokens(admin_user: User) -> None:
    _add(admin_user, "--issue-token")
    out = _run("revoke", "340", "--by", admin_user.username)
    assert "Revoked" in out
    # Nothing referred to it, so it is gone; its account's tokens are revoked.
    assert not Peer.objects.exists()
    assert ApiToken.objects.get().revoked_at is not None


def test_generate_key_and_secret(settings: object) -> None:
    key = _run("generate-key").strip()
    settings.CMETRACK_EXCHANGE_KEY = key  # type: ignore[attr-defined]
    from cmetrack.exchange.crypto import encrypt

    assert decrypt(encrypt("x")) == "x"
    assert len(_run("generate-secret").strip()) >= 32


def test_a_peer_added_before_its_token_gets_it_later(
    admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(
        "add",
        "--la-code",
        "340",
        "--name",
        "Knowsley Council",
        "--base-url",
        "https://k.example",
        "--secret",
        SECRET,
        "--issue-token",
        "--by",
        admin_user.username,
    )
    assert "no token yet" in _run("list")
    peer = Peer.objects.get()
    assert peer.token_encrypted == ""
    with pytest.raises(CommandError, match="API token"):
        _run("set-token", "340", "--token", "nonsense", "--by", admin_user.username)
    _run("set-token", "340", "--token", TOKEN, "--by", admin_user.username)
    peer.refresh_from_db()
    assert peer_token(peer) == TOKEN and TOKEN not in peer.token_encrypted
    assert "  active  " in _run("list")


def test_a_message_to_a_peer_without_a_token_waits_and_says_why(
    admin_user: User, officer: User
) -> None:
    from cmetrack.cases.status import Status
    from cmetrack.exchange.models import OutboxMessage
    from cmetrack.exchange.services.outbox import message_deliver
    from cmetrack.referrals.services import handover_send
    from cmetrack.testing.factories import CaseFactory

    _run("add", "--la-code", "340", "--name", "Knowsley", "--base-url", "https://k.example",
         "--secret", SECRET, "--by", admin_user.username)  # fmt: skip
    handover_send(
        case=CaseFactory(status=Status.ENQUIRIES),
        other_la_name="Knowsley",
        other_la_code="340",
        by=officer,
    )
    message = OutboxMessage.objects.get()
    assert message_deliver(message.pk) == "failed"  # no request was made: no token to send
    message.refresh_from_db()
    assert "no token from Knowsley yet" in message.last_error
    assert message.next_attempt_at is not None
