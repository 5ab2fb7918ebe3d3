"""Reads of attachments, scoped by the acting user: only the attachments of cases the user may
see (cases.selectors.cases_visible_to decides: the authority's CME team). Schools, agencies,
other authorities and the public see none, and a lookup of one answers 404, never 403."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from cmetrack.accounts.access import AnyUser
from cmetrack.cases.models import Case
from cmetrack.cases.selectors import cases_visible_to

from .models import Attachment


def attachments_visible_to(user: AnyUser) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case__in=cases_visible_to(user))


def case_attachments(*, user: AnyUser, case: Case) -> QuerySet[Attachment]:
    """A case's attachments, newest first, removed ones included (the page shows who removed
    what and why); none at all for a user who may not see the case."""
    return (
        attachments_visible_to(user)
        .filter(case=case)
        .select_related("uploaded_by", "removed_by")
        .order_by("-uploaded_at", "-id")
    )


def attachment_get(*, user: AnyUser, public_id: UUID | str) -> Attachment:
    """An attachment this user may see, with its case and child, or 404."""
    found = (
        attachments_visible_to(user)
        .select_related("case__child", "uploaded_by", "removed_by")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("No such attachment.")
    return found
