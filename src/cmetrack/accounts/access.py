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


def administrator_or_refuse(request: HttpRequest, what: str) -> User:
    """The signed-in administrator making this request, or 403 ("`what` is for administrators")
    before anything is looked up: the administrators' pages start with it."""
    user = request.user
    if not can_administer(user):
        raise PermissionDenied(f"{what} is for administrators.")
    assert isinstance(user, User)
    return user


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., "HttpResponse"])


def la_staff_required(view: ViewFunc) -> ViewFunc:
    """Refuse anyone outside the authority's CME team with 403 (sign-in is enforced earlier)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_la_staff(request.user):
            raise PermissionDenied("This page is for the local authority's CME team.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# Intake (issue 3): schools, agencies and other authorities send returns, referrals and
# notifications, and see only what their own organisation sent.
PARTNER_ROLES = frozenset({User.Role.SCHOOL_USER, User.Role.AGENCY_USER, User.Role.OTHER_LA_USER})


def _has_role(user: AnyUser, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) in roles)


def is_school_user(user: AnyUser) -> bool:
    """Bound to one school (through its organisation); a user without one can do nothing."""
    return _has_role(user, User.Role.SCHOOL_USER) and bool(
        getattr(getattr(user, "organisation", None), "school_id", None)
    )


def is_agency_user(user: AnyUser) -> bool:
    return (
        _has_role(user, User.Role.AGENCY_USER) and getattr(user, "organisation", None) is not None
    )


def is_other_la_user(user: AnyUser) -> bool:
    return (
        _has_role(user, User.Role.OTHER_LA_USER) and getattr(user, "organisation", None) is not None
    )


def is_partner(user: AnyUser) -> bool:
    """A school, agency or other-LA user: sends things in, sees their organisation's own."""
    return is_school_user(user) or is_agency_user(user) or is_other_la_user(user)


def can_submit_school_returns(user: AnyUser) -> bool:
    """Deletion and new-pupil returns: the school itself, or the CME team on its behalf."""
    return is_school_user(user) or is_la_staff(user)


def can_refer(user: AnyUser) -> bool:
    """A CME referral: schools, agencies, and the CME team recording on someone's behalf."""
    return is_school_user(user) or is_agency_user(user) or is_la_staff(user)


def can_notify_as_other_la(user: AnyUser) -> bool:
    return is_other_la_user(user) or is_la_staff(user)


def can_triage(user: AnyUser) -> bool:
    """Work the incoming queue: open, link or close from a submission."""
    return is_la_staff(user)


def intake_user_required(view: ViewFunc) -> ViewFunc:
    """The CME team or a partner organisation's user; anyone else signed in gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (is_la_staff(request.user) or is_partner(request.user)):
            raise PermissionDenied("This page is for the CME team and its partners.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# Elective home education (issue 10): the EHE team works the register; the CME team may read it
# (a child can move between the two registers) and record a parent's notice that reaches it;
# partners and the public never see it.
def is_ehe_officer(user: AnyUser) -> bool:
    return _has_role(user, User.Role.EHE_OFFICER)


def can_see_ehe(user: AnyUser) -> bool:
    """The EHE register and a record's page, with the child's details the work needs."""
    return is_ehe_officer(user) or is_la_staff(user)


def can_record_ehe_notice(user: AnyUser) -> bool:
    """A parent's written notice of home education may reach either team."""
    return is_ehe_officer(user) or is_la_staff(user)


def can_work_ehe(user: AnyUser) -> bool:
    """Record reviews, end a record, judge home education unsuitable: the EHE team's work."""
    return is_ehe_officer(user)


def can_acknowledge_ehe_alert(user: AnyUser) -> bool:
    """A child with a child protection plan withdrawn to home education is a manager's call."""
    return is_manager(user)


def ehe_viewer_required(view: ViewFunc) -> ViewFunc:
    """Refuse anyone who may not see the EHE register with 403 (sign-in is enforced earlier)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_ehe(request.user):
            raise PermissionDenied("This page is for the local authority's EHE and CME teams.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
