"""Writes for API tokens: issue one (the plain token is returned once, never stored) and
revoke one. Administrators only; both audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_administer
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from .models import ApiToken, Scope

PREFIX = "cmt_"
LONGEST_DAYS = 366  # a token lives a year at most: an integration is renewed, not forgotten


class TokenRefused(Exception):
    pass


def token_hash(plain: str) -> str:
    """SHA-256 of the token: it carries 256 random bits, so a fast hash is enough (there is
    nothing to guess), and the lookup is one indexed equality."""
    return hashlib.sha256(plain.encode()).hexdigest()


def api_token_issue(
    *, user: User, name: str, scopes: list[str], days: int, by: User
) -> tuple[ApiToken, str]:
    """A new token acting as `user`; returns it and the plain token to give to its holder."""
    if not can_administer(by):
        raise TokenRefused("Only an administrator can issue API tokens.")
    if not user.is_active:
        raise TokenRefused(f"{user} is not an active account.")
    if user.organisation is None:
        raise TokenRefused(f"{user} belongs to no organisation: a token acts for one.")
    if not name.strip():
        raise TokenRefused("Name the token after what will use it.")
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise TokenRefused(f"Give one or more scopes from: {', '.join(Scope.values)}.")
    if not 1 <= days <= LONGEST_DAYS:
        raise TokenRefused(f"A token lasts from 1 to {LONGEST_DAYS} days.")
    plain = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic(), acting_as(by):
        token = ApiToken.objects.create(
            name=name.strip(),
            user=user,
            prefix=plain[:12],
            key_hash=token_hash(plain),
            scopes=sorted(set(scopes)),
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    return token, plain


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if not can_administer(by):
        raise TokenRefused("Only an administrator can revoke API tokens.")
    with transaction.atomic(), acting_as(by):
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = by
            token.save(update_fields=["revoked_at", "revoked_by"])
    return token
