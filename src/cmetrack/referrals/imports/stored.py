"""The rows that passed the check, stored on the batch as JSON for the commit, and read back."""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import fields
from datetime import date
from typing import Any

from ..importing.rows import ReturnRow, ReturnType
from ..models import ImportBatch


def _row_types() -> dict[str, Any]:
    return typing.get_type_hints(ReturnRow)


def _is_date(hint: Any) -> bool:
    return hint is date or date in typing.get_args(hint)


def rows_to_store(rows: Iterable[ReturnRow]) -> dict[str, Any]:
    """Rows as JSON: the field names once, then each row's values in that order."""
    names = [f.name for f in fields(ReturnRow)]
    return {
        "columns": names,
        "rows": [
            [v.isoformat() if isinstance(v, date) else v for v in (getattr(r, n) for n in names)]
            for r in rows
        ],
    }


def stored_rows(batch: ImportBatch) -> list[ReturnRow]:
    """The rows the check passed, as stored at upload. A field added to ReturnRow since takes
    its default; one since removed is dropped."""
    stored = batch.preview or {}
    hints = _row_types()
    columns = [(n, n in hints, _is_date(hints.get(n))) for n in stored.get("columns", [])]
    rows: list[ReturnRow] = []
    for values in stored.get("rows", []):
        kwargs: dict[str, Any] = {}
        for (name, known, is_date), value in zip(columns, values, strict=True):
            if known:
                kwargs[name] = date.fromisoformat(value) if is_date and value else value
        kwargs["return_type"] = ReturnType(kwargs["return_type"])
        rows.append(ReturnRow(**kwargs))
    return rows


def _has_stored_rows(batch: ImportBatch) -> bool:
    return "columns" in (batch.preview or {})
