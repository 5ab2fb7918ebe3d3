"""Reads for accounts."""

from __future__ import annotations

from .models import EnrolmentInvite
from .services import token_hash


def enrolment_invite_find(*, token: str) -> EnrolmentInvite | None:
    """The set-up link this token opens, if it still works. A wrong, used, replaced or expired
    token all give None: the page then says nothing about which it was."""
    if not token or len(token) > 100:
        return None
    return (
        EnrolmentInvite.objects.live()
        .select_related("user")
        .filter(token_hash=token_hash(token))
        .first()
    )


def enrolment_invite_get(*, pk: int) -> EnrolmentInvite | None:
    """A link by id (kept in the holder's session between its steps), if it still works."""
    return EnrolmentInvite.objects.live().select_related("user", "device").filter(pk=pk).first()
