"""Reads of the school rolls, for the CME team only (every function takes the acting user or
is called by a service that checked it).

The roll "as of" a date is, for each school, the roll in the latest load dated on or before it
that was not withdrawn; a pupil counts as on it if they had started by then and not left.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cmetrack.accounts.access import AnyUser, is_la_staff

from .models import RollEntry, RollLoad, SchoolRoll


def _require_team(user: AnyUser) -> None:
    if not is_la_staff(user):
        raise PermissionDenied("School rolls are for the local authority's CME team.")


def loads_visible_to(user: AnyUser) -> QuerySet[RollLoad]:
    _require_team(user)
    return RollLoad.objects.select_related("loaded_by", "withdrawn_by")


def load_get(*, user: AnyUser, public_id: UUID | str) -> RollLoad:
    try:
        return loads_visible_to(user).get(public_id=public_id)
    except (RollLoad.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("No such roll load") from error


def school_rolls_as_of(as_of: date) -> list[SchoolRoll]:
    """Each school's latest roll dated on or before `as_of`, withdrawn loads left out."""
    latest: dict[str, SchoolRoll] = {}
    rolls = (
        SchoolRoll.objects.filter(load__as_of__lte=as_of, load__withdrawn_at__isnull=True)
        .select_related("load", "school")
        .order_by("school_key", "-load__as_of", "-load__loaded_at", "-pk")
    )
    for roll in rolls:
        latest.setdefault(roll.school_key, roll)
    return sorted(latest.values(), key=lambda r: (r.school_name or r.school_key).lower())


def entries_on_roll(rolls: list[SchoolRoll], as_of: date) -> QuerySet[RollEntry]:
    """The pupils on these rolls on `as_of`: started by then (or no date given) and not left."""
    return RollEntry.objects.filter(school_roll__in=[r.pk for r in rolls]).filter(
        Q(entry_date__isnull=True) | Q(entry_date__lte=as_of),
        Q(leaving_date__isnull=True) | Q(leaving_date__gt=as_of),
    )


def entries_as_of(as_of: date) -> QuerySet[RollEntry]:
    return entries_on_roll(school_rolls_as_of(as_of), as_of)
