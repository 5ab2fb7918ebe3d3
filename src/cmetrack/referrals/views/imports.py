"""Bulk import pages: upload → preview with row errors and likely duplicates → commit."""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import can_submit_school_returns, is_la_staff
from cmetrack.accounts.models import User

from ..importing.rows import TEMPLATE_COLUMNS, UnreadableFile
from ..imports import ImportRefused, batch_preview, import_commit, import_upload, neutralise
from ..selectors import import_batch_get


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Return file (CSV, XLSX or Common Transfer File XML)",
        error_messages={"required": "Choose a file to upload"},
    )


def _user(request: HttpRequest) -> User:
    if not can_submit_school_returns(request.user):
        raise PermissionDenied("You cannot import returns.")
    assert isinstance(request.user, User)
    return request.user


def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            batch, preview = import_upload(data=f.read(), filename=f.name, by=user)
        except (UnreadableFile, ImportRefused) as error:
            form.add_error("file", str(error))
        else:
            if preview is None:
                form.add_error("file", batch.summary["unreadable"])
            else:
                return redirect(reverse("referrals:import-preview", args=[batch.public_id]))
    return render(request, "referrals/import_upload.html", {"form": form})


def preview(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    batch = import_batch_get(user=user, public_id=public_id)
    result = None if batch.committed else batch_preview(batch=batch, by=user)
    return render(
        request,
        "referrals/import_preview.html",
        {
            "batch": batch,
            "preview": result,
            "errors": [(e.row, e.field, neutralise(e.message)) for e in result.errors]
            if result
            else [],
            "warnings": [(w.row, w.field, neutralise(w.message)) for w in result.warnings]
            if result
            else [],
            "rows": [
                (
                    r.row,
                    r.return_type,
                    neutralise(r.school_urn),
                    neutralise(r.forename),
                    neutralise(r.surname),
                    r.date_of_birth,
                    neutralise(r.upn),
                    r.ground,
                )
                for r in result.rows[:200]
            ]
            if result
            else [],
            "show_duplicates": is_la_staff(user),
        },
    )


@require_POST
def commit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    batch = import_batch_get(user=user, public_id=public_id)
    try:
        batch = import_commit(batch=batch, valid_only=bool(request.POST.get("valid_only")), by=user)
    except ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Imported {batch.summary['committed']} return(s)")
    return redirect(reverse("referrals:import-preview", args=[batch.public_id]))


def template_csv(request: HttpRequest) -> HttpResponse:
    _user(request)
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(c) for c in TEMPLATE_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cme-returns-template.csv"'
    return response
