"""The reference-data page: the lists the service decides by, their valid dates and what a
change to each would touch (issue 16).

The whole CME team may read it (officers choose from these lists every day, and the page names
no child: counts only); partners and the EHE officer are refused like the team's other pages.
Edits stay in Django admin, the administrators' tool: an administrator gets a link from each row
to its change page there, and nobody else does (admin would refuse them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cmetrack.accounts.access import can_administer, la_staff_required

from .reference_selectors import ReferenceList, Row, reference_data


@dataclass(frozen=True)
class Section:
    list: ReferenceList
    # Whether Django admin has a page for these rows (the page says where edits happen).
    in_admin: bool
    # Admin's list of these rows, and each row's change page: for an administrator only, as
    # admin refuses everyone else; "" otherwise.
    changelist_url: str
    rows: tuple[tuple[Row, str], ...]


def _admin_url(name: str, *args: object) -> str:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


def section_for(found: ReferenceList, *, administrator: bool) -> Section:
    changelist = _admin_url(f"{found.admin_model}_changelist")
    if not (administrator and changelist):
        return Section(found, bool(changelist), "", tuple((row, "") for row in found.rows))
    return Section(
        found,
        True,
        changelist,
        tuple((row, _admin_url(f"{found.admin_model}_change", row.pk)) for row in found.rows),
    )


@la_staff_required
def reference_data_view(request: HttpRequest) -> HttpResponse:
    data = reference_data(user=request.user, today=timezone.localdate())
    assert data is not None  # the CME team, checked above
    administrator = can_administer(request.user)
    return render(
        request,
        "reports/reference_data.html",
        {
            "data": data,
            "sections": [section_for(found, administrator=administrator) for found in data.lists],
            "administrator": administrator,
        },
    )
