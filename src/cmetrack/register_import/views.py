"""Register migration pages: the list, upload, the column-mapping step, the code-mapping step,
the batch's page (progress while a task works, then the preview with the import buttons, then
the result), and undo with its confirmation page. The CME team alone (403 for anyone else;
another batch than one the user may see is 404). Thin: the services decide.

While a task checks or imports a large file, the batch's page reloads itself every few seconds
(a `Refresh` header, so no JavaScript), with a link to reload it by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view

from .forms import CodeMappingForm, ColumnMappingForm, UploadForm
from .models import WORKING, MigrationState, RegisterMigration
from .rows import UnreadableRegister
from .selectors import known_children_shown, migration_get, migrations_visible_to
from .services import (
    DEFAULT_MAX_BYTES,
    MigrationRefused,
    commit_refusal,
    field_label,
    migration_check_request,
    migration_commit_request,
    migration_confirm_codes,
    migration_confirm_columns,
    migration_undo,
    migration_upload,
    undo_refusal,
)
from .services.common import neutralise
from .services.steps import mapping_from_json

REFRESH_SECONDS = 3


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _detail(batch: RegisterMigration) -> HttpResponse:
    return redirect(reverse("register_import:detail", args=[batch.public_id]))


@la_staff_required
def migration_list(request: HttpRequest) -> HttpResponse:
    batches = migrations_visible_to(_user(request))[:100]
    return render(request, "register_import/list.html", {"batches": batches})


@la_staff_required
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            batch = migration_upload(data=f.read(), filename=f.name, by=_user(request))
        except (UnreadableRegister, MigrationRefused) as error:
            form.add_error("file", str(error))
        else:
            return redirect(reverse("register_import:columns", args=[batch.public_id]))
    return render(
        request,
        "register_import/upload.html",
        {
            "form": form,
            "max_rows": settings.CMETRACK_IMPORT_MAX_ROWS,
            "max_megabytes": DEFAULT_MAX_BYTES // 1_000_000,
            "background_rows": settings.CMETRACK_IMPORT_BACKGROUND_ROWS,
        },
    )


@la_staff_required
def columns(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    batch = migration_get(user=user, public_id=public_id)
    if batch.state not in (
        MigrationState.READ,
        MigrationState.MAPPED,
        MigrationState.CHECKED,
        MigrationState.FAILED,
    ):
        return _detail(batch)
    form = ColumnMappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            migration_confirm_columns(batch=batch, mapping=form.mapping(), by=user)
        except MigrationRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("register_import:codes", args=[batch.public_id]))
    return render(
        request,
        "register_import/columns.html",
        {"batch": batch, "form": form, "row_count": batch.sheet.get("rows", 0)},
    )


@la_staff_required
def codes(request: HttpRequest, public_id: str) -> HttpResponse:
    """Confirming the codes checks the file at once (or queues the check of a large one)."""
    user = _user(request)
    batch = migration_get(user=user, public_id=public_id)
    if not batch.columns_confirmed or batch.state not in (
        MigrationState.MAPPED,
        MigrationState.CHECKED,
        MigrationState.FAILED,
    ):
        if batch.state == MigrationState.READ:
            return redirect(reverse("register_import:columns", args=[batch.public_id]))
        return _detail(batch)
    form = CodeMappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            batch = migration_confirm_codes(
                batch=batch, codes=form.codes(), defaults=form.defaults(), by=user
            )
            batch = migration_check_request(batch=batch, by=user)
        except MigrationRefused as error:
            form.add_error(None, str(error))
        else:
            return _detail(batch)
    return render(request, "register_import/codes.html", {"batch": batch, "form": form})


def _shown_row(stored: list[Any]) -> list[str]:
    """A preview row as the page lists it, every text neutralised (a cell must not become a
    formula when copied into a spreadsheet)."""
    row, ref, name, born, referred, reason, status, notes = stored
    return [
        str(row),
        neutralise(ref),
        neutralise(name),
        f"{date.fromisoformat(born):%d/%m/%Y}" if born else "",
        f"{date.fromisoformat(referred):%d/%m/%Y}",
        reason,
        status,
        str(notes),
    ]


ROWS_NAMED = 12  # a warning shared by many rows names the first few, then counts the rest


def _grouped(warnings: list[list[Any]]) -> list[tuple[str, str, int, str]]:
    """The warnings as the page lists them: one line per field and message, with how many rows
    and which (a 2,000-row register can give the same warning a thousand times), most rows
    first."""
    rows_of: dict[tuple[str, str], list[int]] = {}
    for row, field, message in warnings:
        rows_of.setdefault((field, message), []).append(row)
    out = []
    for (field, message), rows in sorted(rows_of.items(), key=lambda g: (-len(g[1]), g[0])):
        named = ", ".join(str(r) for r in rows[:ROWS_NAMED])
        more = f" and {len(rows) - ROWS_NAMED:,} more" if len(rows) > ROWS_NAMED else ""
        out.append((field, neutralise(message), len(rows), named + more))
    return out


@la_staff_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The batch: its progress while a task works; the preview once checked; the result."""
    user = _user(request)
    batch = migration_get(user=user, public_id=public_id)
    summary = batch.summary
    total = batch.progress_total
    checked = batch.state == MigrationState.CHECKED
    mapping = mapping_from_json(batch.column_mapping)
    header = batch.sheet.get("header", [])
    context = {
        "batch": batch,
        "state": batch.state,
        "working": batch.state in WORKING,
        "done": batch.progress_done,
        "total": total,
        "percent": min(100, batch.progress_done * 100 // total) if total else 0,
        "refresh_seconds": REFRESH_SECONDS,
        "checked": checked,
        "summary": summary,
        "unreadable": neutralise(summary.get("unreadable", "")),
        "commit_refused": neutralise(summary.get("commit_refused", "")),
        "errors": [(r, f, neutralise(m)) for r, f, m in summary.get("errors", [])],
        "warnings": _grouped(summary.get("warnings", [])),
        "warning_count": len(summary.get("warnings", [])),
        "duplicates": [
            (r, neutralise(m), [neutralise(x) for x in lines])
            for r, m, lines in summary.get("duplicates", [])
        ],
        "known": [(r, neutralise(m)) for r, m in summary.get("known", [])],
        "rows": [_shown_row(r) for r in summary.get("shown", [])],
        "mapping": [
            (field_label(f), neutralise(header[i]) if i < len(header) else "")
            for f, i in sorted(mapping.items(), key=lambda m: m[1])
        ],
        "can_commit_all": checked and not commit_refusal(batch=batch, valid_only=False),
        "can_commit_valid": checked and not commit_refusal(batch=batch, valid_only=True),
    }
    response = render(request, "register_import/detail.html", context)
    if checked and (context["duplicates"] or context["known"]):
        # Children already held are named on the page: each showing is a view of them.
        for child in known_children_shown(batch=batch, user=user):
            record_view(child)
    if context["working"]:
        response["Refresh"] = str(REFRESH_SECONDS)  # the page reloads itself, no JavaScript
    return response


@require_POST
@la_staff_required
def commit(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    batch = migration_get(user=user, public_id=public_id)
    try:
        batch = migration_commit_request(
            batch=batch, valid_only=bool(request.POST.get("valid_only")), by=user
        )
    except MigrationRefused as error:
        messages.error(request, str(error))
    else:
        if batch.state == MigrationState.COMMITTED:
            messages.success(request, f"Imported {batch.summary['committed']} case(s)")
    return _detail(batch)


@la_staff_required
def undo(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: the confirmation page (saying what would be taken back, or what stops it); POST:
    the undo."""
    user = _user(request)
    batch = migration_get(user=user, public_id=public_id)
    error = ""
    if request.method == "POST":
        try:
            batch = migration_undo(batch=batch, by=user)
        except MigrationRefused as refused:
            error = str(refused)
        else:
            messages.success(request, f"The migration of {batch.original_name} was undone")
            return _detail(batch)
    problems = [neutralise(p) for p in undo_refusal(batch=batch)]
    return render(
        request,
        "register_import/undo.html",
        {
            "batch": batch,
            "problems": problems,
            "error": neutralise(error),
            "committed": batch.summary.get("committed", 0),
            "children_created": batch.summary.get("children_created", 0),
        },
        status=200,
    )
