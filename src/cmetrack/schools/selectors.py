"""Reads of the schools register.

Unlike children and cases, schools are public reference data (GIAS publishes them), so these
lookups are not scoped by the acting user.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import School


def school_get_by_urn(urn: str) -> School | None:
    """The school with this URN, or None. Surrounding spaces (pasted values) are forgiven."""
    return School.objects.filter(urn=urn.strip()).first()


def schools_open() -> QuerySet[School]:
    """Schools a child could be on the roll of now: GIAS status "Open" or "Open, but proposed to
    close" (see gias.is_open_status)."""
    return School.objects.filter(is_open=True)
