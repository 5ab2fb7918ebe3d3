"""One call for a list's export view: write the file, answer with it, audit it."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse

from .audit import record_export
from .responses import export_response, file_name, file_response
from .table import ExportTable


def export_download(
    request: HttpRequest,
    table: ExportTable,
    *,
    fmt: str,
    view: str,
    details: Mapping[str, object] | None = None,
) -> HttpResponse:
    """The file of `table` as `fmt`, recorded (the download, and each record in it) once it is
    written. A HEAD asks only what the answer would be: the same headers, but no rows are read
    and nothing is recorded, since no child's details left the system."""
    if request.method == "HEAD":
        return file_response(b"", fmt=fmt, name=file_name(table.slug, fmt))
    response = export_response(table, fmt)
    record_export(by=request.user, tables=[table], fmt=fmt, view=view, details=details)
    return response
