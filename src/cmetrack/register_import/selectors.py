"""Reads of register migrations, scoped by the acting user: the CME team sees its authority's
migrations; anyone else sees none (and a page for one is 404, never 403)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from cmetrack.accounts.access import AnyUser, can_work_cases
from cmetrack.children.models import Child

from .models import RegisterMigration


def migrations_visible_to(user: AnyUser) -> QuerySet[RegisterMigration]:
    if not can_work_cases(user):
        return RegisterMigration.objects.none()
    return RegisterMigration.objects.select_related("uploaded_by").defer("stored_rows")


def migration_get(*, user: AnyUser, public_id: UUID | str) -> RegisterMigration:
    found = migrations_visible_to(user).filter(public_id=public_id).first()
    if found is None:
        raise Http404("No such register migration.")
    return found


def known_children_shown(*, batch: RegisterMigration, user: AnyUser) -> list[Child]:
    """The children already held that a batch's preview names, one each: each showing is a
    view of them, for their audit trails."""
    if not can_work_cases(user):
        return []
    seen: dict[int, Child] = {}
    for known in batch.known_children.select_related("child"):
        seen.setdefault(known.child_id, known.child)
    return list(seen.values())
