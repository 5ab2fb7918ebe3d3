"""The other authorities' cmetrack installations we exchange with, by LA code."""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from cmetrack.accounts.access import can_administer, is_other_la_user
from cmetrack.accounts.models import Organisation, User
from cmetrack.api.token_lookup import ACCOUNT_ROWS_ATTRIBUTE, register_account_row
from cmetrack.audit.context import acting_as

from ..conf import allow_http_loopback, encryption_key
from ..crypto import KeyMissing, decrypt, encrypt
from ..models import OutboxMessage, Peer
from .errors import ExchangeError

logger = logging.getLogger(__name__)

LA_CODE = re.compile(r"^\d{3}$")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SHORTEST_SECRET = 32


def base_url_checked(url: str) -> str:
    """The peer's address, https only; http only to this machine, and only when
    CMETRACK_EXCHANGE_ALLOW_HTTP allows it (tests, a demo on one machine)."""
    parts = urlsplit(url.strip())
    if not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ExchangeError("Give the peer's address as https://host[/path].", "base_url")
    if parts.scheme == "http":
        if parts.hostname not in LOOPBACK or not allow_http_loopback():
            raise ExchangeError(
                "A peer's address must be https: a child's details never travel unencrypted.",
                "base_url",
            )
    elif parts.scheme != "https":
        raise ExchangeError("Give the peer's address as https://host[/path].", "base_url")
    return url.strip().rstrip("/")


def generate_signing_secret() -> str:
    return secrets.token_urlsafe(32)


def _account_for(*, la_code: str, name: str, by: User) -> User:
    """This installation's account for the peer: the one its token acts as."""
    org = Organisation.objects.filter(kind=Organisation.Kind.OTHER_LA, la_code=la_code).first()
    if org is None:
        org = Organisation.objects.create(
            kind=Organisation.Kind.OTHER_LA, name=name, la_code=la_code
        )
    username = f"exchange-{la_code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=name,
            last_name="cmetrack",
            role=User.Role.OTHER_LA_USER,
            organisation=org,
        )
        # It signs in with a token only, never a password.
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def peer_add(
    *,
    la_code: str,
    name: str,
    base_url: str,
    token: str,
    signing_secret: str,
    by: User,
    account: User | None = None,
) -> Peer:
    """Record another authority's cmetrack. Without `account`, this installation's account
    for it (exchange-<code>, another-LA user of an organisation with its LA code) is made;
    the administrator then issues the token it calls us with (`cmetrack api-token issue`)."""
    if not can_administer(by):
        raise ExchangeError("Only an administrator can add a peer authority.")
    la_code, name = la_code.strip(), name.strip()
    if not LA_CODE.match(la_code):
        raise ExchangeError("Give the authority's three-digit DfE LA number.", "la_code")
    if la_code == getattr(settings, "CMETRACK_AUTHORITY_LA_CODE", ""):
        raise ExchangeError("That is this authority's own LA number.", "la_code")
    if not name:
        raise ExchangeError("Name the authority.", "name")
    if Peer.objects.filter(la_code=la_code).exists():
        raise ExchangeError(
            f"There is already a peer for LA {la_code}: remove it first.", "la_code"
        )
    url = base_url_checked(base_url)
    _check_token(token, optional=True)
    if len(signing_secret.strip()) < SHORTEST_SECRET:
        raise ExchangeError(
            f"The signing secret must be at least {SHORTEST_SECRET} characters "
            "(`cmetrack exchange-peer generate-secret` makes one).",
            "signing_secret",
        )
    with acting_as(by):
        if account is None:
            account = _account_for(la_code=la_code, name=name, by=by)
        org = account.organisation
        if not is_other_la_user(account) or org is None or org.la_code != la_code:
            raise ExchangeError(
                f"The account must be another-LA user of an organisation with LA code {la_code}.",
                "account",
            )
        return Peer.objects.create(
            la_code=la_code,
            name=name,
            base_url=url,
            token_encrypted=encrypt(token.strip()) if token.strip() else "",
            signing_secret_encrypted=encrypt(signing_secret.strip()),
            account=account,
            created_by=by,
        )


def _check_token(token: str, *, optional: bool = False) -> None:
    if optional and not token.strip():
        return
    if not token.strip().startswith("cmt_") or len(token.strip()) < 20:
        raise ExchangeError("Give the API token the peer issued to this authority.", "token")


@transaction.atomic
def peer_set_token(*, peer: Peer, token: str, by: User) -> Peer:
    """The token the peer issued to us, given later (each side adds the other first, issuing
    its own token, then gives the other the token it was given). Replaces any earlier one."""
    if not can_administer(by):
        raise ExchangeError("Only an administrator can change a peer authority.")
    _check_token(token)
    with acting_as(by):
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        peer.token_encrypted = encrypt(token.strip())
        peer.save(update_fields=["token_encrypted"])
    return peer


@transaction.atomic
def peer_remove(*, peer: Peer, by: User) -> Peer:
    """Stop exchanging with a peer. Its record stays while messages refer to it (so its
    account's calls must still be signed); what was waiting to go is given up, and the team
    alerted, as for any delivery that cannot be made."""
    from .outbox import give_up_waiting

    if not can_administer(by):
        raise ExchangeError("Only an administrator can remove a peer authority.")
    with acting_as(by):
        peer = Peer.objects.select_for_update().get(pk=peer.pk)
        if not OutboxMessage.objects.filter(peer=peer).exists() and not peer.inbound.exists():
            peer.delete()
            return peer
        peer.active = False
        peer.save(update_fields=["active"])
    give_up_waiting(peer=peer, why="The peer authority was removed.")
    return peer


def peer_for_la_code(la_code: str) -> Peer | None:
    if not la_code:
        return None
    return Peer.objects.filter(la_code=la_code, active=True).first()


def peer_for_account(user: User) -> Peer | None:
    return Peer.objects.filter(account_id=user.pk, active=True).first()


def peer_token(peer: Peer) -> str:
    if not peer.token_encrypted:
        raise KeyMissing(
            f"There is no token from {peer.name} yet: `cmetrack exchange-peer set-token "
            f"{peer.la_code} --token …`."
        )
    return decrypt(peer.token_encrypted)


def peer_secret(peer: Peer) -> bytes:
    return decrypt(peer.signing_secret_encrypted).encode()


# The API reads, with every token, whether its account is a peer's and the peer's stored
# (encrypted) signing secret, in the token's own query (api/token_lookup.py): so this check
# costs no query, and a peer added, or its secret changed, counts from the next call in every
# process, since nothing about which accounts are peers is kept between calls.
PEER_ROW = "exchange_peer"
register_account_row(
    PEER_ROW, Peer, account_field="account", fields=["signing_secret_encrypted", "la_code"]
)

# Decrypted secrets by (key, stored value): only the decryption is remembered, never whether an
# account is a peer. A changed secret is a new stored value (Fernet never writes the same one
# twice), so it is decrypted afresh; a changed key, likewise.
_decrypted: dict[tuple[str, str], bytes] = {}
_DECRYPTED_MAX = 256


def _secret_from_stored(la_code: str, stored: str) -> bytes:
    cache_key = (encryption_key(), stored)
    found = _decrypted.get(cache_key)
    if found is not None:
        return found
    try:
        secret = decrypt(stored).encode()
    except KeyMissing:
        # Fail closed: a secret we cannot read signs nothing, so the call is refused.
        logger.error("Peer %s's signing secret cannot be read; refusing its calls", la_code)
        return secrets.token_bytes(32)
    if len(_decrypted) >= _DECRYPTED_MAX:
        _decrypted.clear()
    _decrypted[cache_key] = secret
    return secret


def signing_secret_for_account(user: User) -> bytes | None:
    """For the API's check (api/signing.py): a peer's account must sign, active or not.

    An account the API's token query loaded carries its peer row already (None: not a peer);
    any other account is looked up."""
    rows = getattr(user, ACCOUNT_ROWS_ATTRIBUTE, None)
    if rows is not None and PEER_ROW in rows:
        row = rows[PEER_ROW]
        if row is None:
            return None
        return _secret_from_stored(row[1], row[0])
    peer = Peer.objects.filter(account_id=user.pk).first()
    if peer is None:
        return None
    return _secret_from_stored(peer.la_code, peer.signing_secret_encrypted)
