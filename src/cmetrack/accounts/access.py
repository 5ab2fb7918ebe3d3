"""The one place that decides who may see and change what.

Views, selectors and the API ask these helpers; nothing else compares roles. Later intake work
adds the school, agency and other-LA rules here (they see only what their organisation sent).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from .models import User

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

LA_ROLES = frozenset({User.Role.CME_OFFICER, User.Role.CME_MANAGER, User.Role.ADMIN})
MANAGER_ROLES = frozenset({User.Role.CME_MANAGER, User.Role.ADMIN})

AnyUser = User | AnonymousUser


def is_la_staff(user: AnyUser) -> bool:
    """The authority's own team: sees every child and case."""
    return bool(
        user.is_authenticated and user.is_active and getattr(user, "role", None) in LA_ROLES
    )


def is_manager(user: AnyUser) -> bool:
    return bool(
        user.is_authenticated and user.is_active and getattr(user, "role", None) in MANAGER_ROLES
    )


def can_work_cases(user: AnyUser) -> bool:
    """Record referrals, change status, assign, add notes and close cases."""
    return is_la_staff(user)


def can_administer(user: AnyUser) -> bool:
    return bool(
        user.is_authenticated and user.is_active and getattr(user, "role", None) == User.Role.ADMIN
    )


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., "HttpResponse"])


def la_staff_required(view: ViewFunc) -> ViewFunc:
    """Refuse anyone outside the authority's CME team with 403 (sign-in is enforced earlier)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_la_staff(request.user):
            raise PermissionDenied("This page is for the local authority's CME team.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
