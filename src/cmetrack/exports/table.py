"""What an export is: a named list of columns and its rows, before it becomes a file.

Every list's export (cases, tasks, the incoming queue, a partner's submissions, the EHE
register, the dashboard's breakdowns, the termly return) describes itself in these terms and
hands the description to one writer (`writers.py`), one response (`responses.py`) and one audit
entry (`audit.py`), so formula neutralising, personal columns and the audit cannot differ
between lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models

# What a cell may hold. Text is neutralised on the way out; numbers, dates and booleans are
# written as themselves (a date stays a date in the spreadsheet).
Cell = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    # Names, date of birth, UPN, address, postcode, parents: left out for a role that may not
    # see them, or when the user asks for the export without personal details.
    personal: bool = False


@dataclass(frozen=True)
class Row:
    values: Mapping[str, Cell]
    # The record this row is about (a child, a submission), for the per-record audit entry.
    subject_id: int | None = None


@dataclass
class ExportTable:
    """One list, ready to write. `rows` may be a generator: it is read once, by the writer."""

    name: str  # the list's name, for the audit and the sheet: "Case list"
    slug: str  # the file name's stem, no personal data: "case-list"
    columns: tuple[Column, ...]
    rows: Iterable[Row]
    # Lines written above the header (a breakdown's title and period); none for a plain list.
    title_lines: tuple[str, ...] = ()
    # The model each row's subject_id names (Child, Submission), or None for figures only.
    subject_model: type[models.Model] | None = None
    include_personal: bool = True
    sheet: str = ""  # the worksheet's name, when not the list's name (a breakdown's key)
    # Filled in by the writer as it reads the rows.
    row_count: int = field(default=0, init=False)
    subject_ids: list[int] = field(default_factory=list, init=False)

    @property
    def visible_columns(self) -> tuple[Column, ...]:
        if self.include_personal:
            return self.columns
        return tuple(c for c in self.columns if not c.personal)

    @property
    def has_personal_columns(self) -> bool:
        return any(c.personal for c in self.visible_columns)

    @property
    def sheet_title(self) -> str:
        """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
        wanted = self.sheet or self.name
        cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in wanted).strip()
        return (cleaned or "Export")[:31]
