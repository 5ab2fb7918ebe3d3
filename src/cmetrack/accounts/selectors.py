"""Reads for accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from .access import AnyUser, can_administer
from .models import EnrolmentInvite, Organisation, User
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


def authority_team() -> Organisation | None:
    """The authority's own CME team: the LA team organisation with this installation's LA code
    (CMETRACK_AUTHORITY_LA_CODE), or else the only LA team there is."""
    teams = Organisation.objects.filter(kind=Organisation.Kind.LA_TEAM).order_by("pk")
    own = teams.filter(la_code=settings.CMETRACK_AUTHORITY_LA_CODE).first()
    if own is not None:
        return own
    found = list(teams[:2])
    return found[0] if len(found) == 1 else None


# --- user management (administrators only) --------------------------------------------------


class InvitationState:
    """Where a user's set-up stands, as the users list shows it."""

    SET_UP = "Set up"
    INVITED = "Invited"
    EXPIRED = "Link expired"
    NONE = "Not invited"


@dataclass(frozen=True)
class UserRow:
    user: User
    invitation: str
    # When the live link stops working (INVITED only).
    link_expires_at: datetime | None


def _refuse_unless_administrator(by: AnyUser) -> None:
    if not can_administer(by):
        raise PermissionDenied("User management is for administrators.")


def _with_invitation_state(users: QuerySet[User]) -> QuerySet[User]:
    live = EnrolmentInvite.objects.live().filter(user=OuterRef("pk"))
    return users.select_related("organisation").annotate(
        link_live_until=Subquery(live.order_by("-expires_at").values("expires_at")[:1]),
        link_used=Exists(
            EnrolmentInvite.objects.filter(user=OuterRef("pk"), used_at__isnull=False)
        ),
        link_issued=Exists(EnrolmentInvite.objects.filter(user=OuterRef("pk"))),
    )


def _row(user: User) -> UserRow:
    expires: datetime | None = getattr(user, "link_live_until", None)
    if expires is not None:
        state = InvitationState.INVITED
    elif getattr(user, "link_used", False) or user.last_login is not None:
        state = InvitationState.SET_UP
    elif getattr(user, "link_issued", False):
        state = InvitationState.EXPIRED
    else:
        state = InvitationState.NONE
    return UserRow(user=user, invitation=state, link_expires_at=expires)


# The users list, a page at a time (as the other long lists: 25 a page).
USERS_PAGE_SIZE = 25


def _users_in_order() -> QuerySet[User]:
    return _with_invitation_state(User.objects.all()).order_by(
        "-is_active", "first_name", "last_name", "username", "pk"
    )


def users_for_administration(*, by: AnyUser) -> list[UserRow]:
    """Every account, with its invitation state: active first, then by name."""
    _refuse_unless_administrator(by)
    return [_row(user) for user in _users_in_order()]


def users_page_for_administration(*, by: AnyUser, page: str | int | None) -> Page[UserRow]:
    """One page of `users_for_administration`: only that page's accounts are read (the count
    is one query); a page number out of range or not a number gives the nearest page."""
    _refuse_unless_administrator(by)
    found = Paginator(_users_in_order(), USERS_PAGE_SIZE).get_page(page)
    # The same page, its accounts as rows: the paginator (count, page links) is unchanged.
    rows: list[UserRow] = [_row(user) for user in found.object_list]
    return Page(rows, found.number, found.paginator)  # type: ignore[arg-type]


def user_for_administration(*, by: AnyUser, public_id: UUID | str) -> UserRow | None:
    _refuse_unless_administrator(by)
    try:
        user = _with_invitation_state(User.objects.filter(public_id=public_id)).first()
    except ValidationError:  # not a UUID
        return None
    return None if user is None else _row(user)


def organisations_for_invitation(*, by: AnyUser) -> QuerySet[Organisation]:
    """The organisations a new user can be placed in, by kind and name."""
    _refuse_unless_administrator(by)
    return Organisation.objects.select_related("school").order_by("kind", "name")


def active_administrators() -> QuerySet[User]:
    return User.objects.filter(role=User.Role.ADMIN, is_active=True)


ORGANISATIONS_PAGE_SIZE = 50


def organisations_page_for_administration(
    *, by: AnyUser, page: str | int | None, kind: str = ""
) -> Page[Organisation]:
    """One page of the organisations (of one kind, if given), by kind and name, each with how
    many active accounts it has (`active_users`)."""
    _refuse_unless_administrator(by)
    found = Organisation.objects.select_related("school").annotate(
        active_users=Count("users", filter=Q(users__is_active=True))
    )
    if kind in Organisation.Kind.values:
        found = found.filter(kind=kind)
    pages: Paginator[Organisation] = Paginator(
        found.order_by("kind", "name", "pk"), ORGANISATIONS_PAGE_SIZE
    )
    return pages.get_page(page)


def organisation_for_administration(*, by: AnyUser, public_id: UUID | str) -> Organisation | None:
    _refuse_unless_administrator(by)
    try:
        return Organisation.objects.select_related("school").filter(public_id=public_id).first()
    except ValidationError:  # not a UUID
        return None
