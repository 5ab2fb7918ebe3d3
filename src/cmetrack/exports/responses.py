"""The HTTP answer for an export: the file, a safe name, and no copy left in any cache."""

from __future__ import annotations

import re
from datetime import date

from django.http import HttpResponse
from django.utils import timezone

from .table import ExportTable
from .writers import CSV_TYPE, FORMATS, XLSX_TYPE, export_bytes

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def file_name(stem: str, fmt: str, on: date | None = None) -> str:
    """`case-list-2026-12-02.csv`: the list's name and the day, never a child's name or any
    filter value (a file name travels in e-mails and download folders). Anything but lower
    case letters, digits and hyphens is dropped, so no header can be forged through it."""
    safe = _UNSAFE.sub("-", stem.lower()).strip("-") or "export"
    day = on or timezone.localdate()
    return f"{safe[:80]}-{day:%Y-%m-%d}.{fmt}"


_SAFE_NAME = re.compile(r"[a-z0-9-]+\.(csv|xlsx)")


def file_response(content: bytes, *, fmt: str, name: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")
    # The name goes into a header as it is: refused unless it is what `file_name` makes.
    if not _SAFE_NAME.fullmatch(name) or not name.endswith(f".{fmt}"):
        raise ValueError(f"Unsafe export file name: {name!r}")
    response = HttpResponse(content, content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Children's details: not kept by the browser or any proxy between.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(table: ExportTable, fmt: str, *, on: date | None = None) -> HttpResponse:
    """Write `table` as `fmt` (its rows are read here) and answer with it."""
    return file_response(export_bytes(table, fmt), fmt=fmt, name=file_name(table.slug, fmt, on))
