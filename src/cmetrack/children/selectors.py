"""Reads of children, scoped by the acting user through accounts.access."""

from datetime import date
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.core.upn import normalise_upn

from .models import Child


def children_visible_to(user: AnyUser) -> QuerySet[Child]:
    if is_la_staff(user):
        return Child.objects.filter(merged_into__isnull=True)
    return Child.objects.none()


def child_get(*, user: AnyUser, public_id: UUID | str) -> Child:
    """A child this user may see, or 404: another organisation's child must not be confirmed."""
    child = children_visible_to(user).filter(public_id=public_id).first()
    if child is None:
        raise Http404("No such child.")
    return child


def child_find_existing(
    *, upn: str = "", forenames: str = "", surname: str = "", date_of_birth: date | None = None
) -> Child | None:
    """The child already known by the same UPN (current or former), or the same legal name and
    date of birth. Probabilistic matching (issue 5) will widen this; exact rules stay first."""
    active = Child.objects.filter(merged_into__isnull=True)
    if upn:
        upn = normalise_upn(upn)
        found = active.filter(Q(upn=upn) | Q(former_upns__upn=upn)).distinct().first()
        if found:
            return found
    if forenames and surname and date_of_birth:
        if upn:
            # A child recorded with a different UPN is a different child for this exact rule;
            # probabilistic matching (issue 5) shows such near misses to the officer instead.
            active = active.filter(upn__in=["", upn])
        return (
            active.filter(
                forenames__iexact=forenames.strip(),
                surname__iexact=surname.strip(),
                date_of_birth=date_of_birth,
            )
            .order_by("created_at")
            .first()
        )
    return None
