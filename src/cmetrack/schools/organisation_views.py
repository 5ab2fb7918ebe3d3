"""The administrators' organisation pages: the list (by kind), adding one, and changing its
name or LA number. Everyone else is refused with 403 before anything is looked up (the
selectors and services check the role again)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cmetrack.accounts.access import administrator_or_refuse
from cmetrack.accounts.models import Organisation, User
from cmetrack.accounts.organisations import (
    OrganisationRefused,
    organisation_create,
    organisation_update,
)
from cmetrack.accounts.selectors import (
    organisation_for_administration,
    organisations_page_for_administration,
)

from .organisation_forms import KIND_HINTS, OrganisationAddForm, OrganisationEditForm


def _administrator(request: HttpRequest) -> User:
    return administrator_or_refuse(request, "Managing organisations")


def _refused(form: OrganisationAddForm | OrganisationEditForm, error: OrganisationRefused) -> None:
    for field, message in error.problems.items():
        field = "urn" if field == "school" else field
        form.add_error(field if field in form.fields else None, message)


def organisation_list(request: HttpRequest) -> HttpResponse:
    by = _administrator(request)
    kind = request.GET.get("kind", "")
    page = organisations_page_for_administration(by=by, page=request.GET.get("page"), kind=kind)
    return render(
        request,
        "schools/organisations/list.html",
        {
            "page": page,
            "kind": kind if kind in Organisation.Kind.values else "",
            "kinds": Organisation.Kind.choices,
            "query_string": f"kind={kind}&" if kind in Organisation.Kind.values else "",
        },
    )


def organisation_add(request: HttpRequest) -> HttpResponse:
    by = _administrator(request)
    form = OrganisationAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(data=form.data_object(), by=by)
        except OrganisationRefused as error:
            _refused(form, error)  # a race with another administrator's identical addition
        else:
            messages.success(
                request, f"{organisation.name} added. You can now invite its people as users."
            )
            return redirect(reverse("organisations:list"))
    return render(
        request, "schools/organisations/add.html", {"form": form, "kind_hints": KIND_HINTS}
    )


def organisation_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    by = _administrator(request)
    organisation = organisation_for_administration(by=by, public_id=public_id)
    if organisation is None:
        raise Http404
    form = OrganisationEditForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(
                organisation=organisation,
                name=form.cleaned_data["name"],
                la_code=form.cleaned_data["la_code"],
                by=by,
            )
        except OrganisationRefused as error:
            _refused(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name'].strip()} saved")
            return redirect(reverse("organisations:list"))
    return render(
        request,
        "schools/organisations/edit.html",
        {"form": form, "organisation": organisation},
    )
