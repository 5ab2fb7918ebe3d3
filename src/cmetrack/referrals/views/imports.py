"""Bulk import pages: upload → preview with row errors and likely duplicates → commit.

The preview page shows what the check stored on the batch (it never parses the file). While a
background task checks or imports a large file, the same page shows how far it has got and
reloads itself every few seconds (a `Refresh` header, so no JavaScript), with a link to reload
it by hand.
"""

import csv
import io
from datetime import date
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import can_submit_school_returns, is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view

from ..importing.rows import TEMPLATE_COLUMNS, UnreadableFile
from ..imports import (
    DEFAULT_MAX_BYTES,
    WORKING,
    ImportRefused,
    ImportState,
    import_commit_request,
    import_upload,
    known_children_shown,
    neutralise,
)
from ..models import ImportBatch
from ..selectors import import_batches_visible_to

# Seconds between reloads of a page whose file a background task is working on.
REFRESH_SECONDS = 3


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


def _batch(user: User, public_id: UUID | str) -> ImportBatch:
    """The batch, if this user may see it (else 404), without its stored rows (only the commit
    reads those)."""
    found = import_batches_visible_to(user).defer("preview").filter(public_id=public_id).first()
    if found is None:
        raise Http404("No such import.")
    return found


def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            batch, _ = import_upload(data=f.read(), filename=f.name, by=user, background=True)
        except (UnreadableFile, ImportRefused) as error:
            form.add_error("file", str(error))
        else:
            if batch.state == ImportState.UNREADABLE:
                form.add_error("file", batch.summary["unreadable"])
            else:
                return redirect(reverse("referrals:import-preview", args=[batch.public_id]))
    return render(
        request,
        "referrals/import_upload.html",
        {
            "form": form,
            "max_rows": settings.CMETRACK_IMPORT_MAX_ROWS,
            "max_megabytes": DEFAULT_MAX_BYTES // 1_000_000,
            "background_rows": settings.CMETRACK_IMPORT_BACKGROUND_ROWS,
        },
    )


def _shown_row(stored: list[object]) -> tuple[object, ...]:
    """A stored row as the page lists it: row, type, URN, forename, surname, date of birth,
    UPN, ground; every text neutralised (a cell must not become a formula when copied)."""
    row, kind, urn, forename, surname, dob, upn, ground = stored
    born = f"{date.fromisoformat(str(dob)):%d/%m/%Y}" if dob else ""
    texts = (neutralise(v) for v in (urn, forename, surname))
    return (row, kind, *texts, born, neutralise(upn), neutralise(ground))


def preview(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    batch = _batch(user, public_id)
    summary = batch.summary
    working = batch.state in WORKING
    total = batch.progress_total
    context = {
        "batch": batch,
        "state": batch.state,
        "working": working,
        "done": batch.progress_done,
        "total": total,
        "percent": min(100, batch.progress_done * 100 // total) if total else 0,
        "refresh_seconds": REFRESH_SECONDS,
        "checked": batch.state == ImportState.CHECKED and not batch.committed,
        "summary": summary,
        "unreadable": neutralise(summary.get("unreadable", "")),
        "commit_refused": neutralise(summary.get("commit_refused", "")),
        "row_count": summary.get("rows", 0),
        "valid": summary.get("valid", 0),
        "bad_rows": summary.get("bad_rows", len({e[0] for e in summary.get("errors", [])})),
        "errors": [(r, f, neutralise(m)) for r, f, m in summary.get("errors", [])],
        "warnings": [(r, f, neutralise(m)) for r, f, m in summary.get("warnings", [])],
        "duplicates": [(r, neutralise(m)) for r, m in summary.get("duplicates", [])],
        "rows": [_shown_row(r) for r in summary.get("shown", [])],
        "show_duplicates": is_la_staff(user),
    }
    response = render(request, "referrals/import_preview.html", context)
    if context["checked"] and context["show_duplicates"] and context["duplicates"]:
        # The likely known children are named on the page: each showing is a view of them.
        for child in known_children_shown(batch=batch, by=user):
            record_view(child)
    if working:
        response["Refresh"] = str(REFRESH_SECONDS)  # the page reloads itself, no JavaScript
    return response


@require_POST
def commit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    batch = _batch(user, public_id)
    try:
        batch = import_commit_request(
            batch=batch, valid_only=bool(request.POST.get("valid_only")), by=user
        )
    except ImportRefused as error:
        messages.error(request, str(error))
    else:
        if batch.committed:
            messages.success(request, f"Imported {batch.summary['committed']} return(s)")
    return redirect(reverse("referrals:import-preview", args=[batch.public_id]))


def template_csv(request: HttpRequest) -> HttpResponse:
    _user(request)
    out = io.StringIO()
    csv.writer(out).writerow([neutralise(c) for c in TEMPLATE_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cme-returns-template.csv"'
    return response
