"""The audit entries an export leaves: one for the download, one for each record in it.

The download: an ACCESS entry on the exporting user's own record (a list belongs to no one
record), saying which list, which format, the filters, how many rows, and whether names and
other personal columns were in it. Kept in the shape the dashboard's downloads have always
had (`"view": "... export"`), so the audit log's readers find every export the same way.

Each record: an ACCESS entry on every child (or submission) the file holds, as
`record_view` writes when a page shows one, with the route of the export as the page and the
list's name, so the child's audit trail (privacy) lists the export among the views of the
child. They go in with one bulk insert per thousand rows, not one save per child.

No value from the records is copied into any entry: no name, no search words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from cmetrack.audit.services import current_page

from .table import ExportTable

BATCH_SIZE = 1000


def _request_context() -> dict[str, object]:
    context = auditlog_value.get(None) or {}
    return {
        key: value() if callable(value) else value
        for key, value in context.items()
        if key in ("remote_addr", "remote_port")
    }


def record_export(
    *,
    by: object,
    tables: Sequence[ExportTable],
    fmt: str,
    view: str,
    details: Mapping[str, object] | None = None,
) -> LogEntry:
    """Write the download's entry and every exported record's entry, in one transaction.
    Call after the file is written (the writer counts the rows and notes their records).
    `by` is the signed-in user; `view` names the export ("case list export")."""
    user_model = get_user_model()
    if not isinstance(by, user_model):
        raise TypeError("An export is recorded against a signed-in user.")
    extra = _request_context()
    cid = get_cid()
    page = current_page.get()
    with transaction.atomic():
        entry = LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(user_model),
            object_pk=str(by.pk),
            object_id=by.pk,
            object_repr=view[:1].upper() + view[1:],
            action=LogEntry.Action.ACCESS,
            actor=by,
            actor_email=getattr(by, "email", "") or "",
            cid=cid,
            additional_data={
                "view": view,
                "format": fmt,
                "lists": [t.name for t in tables],
                "rows": sum(t.row_count for t in tables),
                "personal_columns": any(t.has_personal_columns for t in tables),
                **(details or {}),
            },
            **extra,
        )
        for table in tables:
            _record_subjects(table, by=by, fmt=fmt, page=page, cid=cid, extra=extra)
    return entry


def _record_subjects(
    table: ExportTable,
    *,
    by: object,
    fmt: str,
    page: str,
    cid: str | None,
    extra: dict[str, object],
) -> None:
    if table.subject_model is None or not table.subject_ids:
        return
    content_type = ContentType.objects.get_for_model(table.subject_model)
    label = f"{table.subject_model._meta.verbose_name} (exported)"
    data: dict[str, object] = {"export": table.name, "format": fmt}
    if page:
        data["page"] = page
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(pk),
            object_id=pk,
            object_repr=label,
            action=LogEntry.Action.ACCESS,
            actor=by,
            actor_email=getattr(by, "email", "") or "",
            cid=cid,
            additional_data=data,
            **extra,
        )
        # A child on two rows (two cases) was exported once.
        for pk in dict.fromkeys(table.subject_ids)
    ]
    LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
