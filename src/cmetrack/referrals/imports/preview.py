"""Checking parsed rows against the database: school URNs, the route services' own checks, in-file
duplicates, and (for the CME team only) likely known children."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cmetrack.accounts.access import is_la_staff, is_school_user
from cmetrack.accounts.models import User
from cmetrack.children.models import Child

from ..importing.rows import ParsedFile, ReturnRow, RowError
from ..known import children_known
from ..models import ImportBatch
from ..services import (
    DeletionData,
    IntakeError,
    deletion_return_check,
    new_pupil_return_check,
)
from .common import SHOWN_ROWS, _child_key, _column, _data, _key, _schools


@dataclass(frozen=True)
class Duplicate:
    row: int
    message: str


@dataclass
class Preview:
    source: str
    rows: tuple[ReturnRow, ...]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    # Row number -> the known child it likely is (the CME team's previews only).
    known: dict[int, Child] = field(default_factory=dict, repr=False)

    @property
    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    def valid_rows(self) -> list[ReturnRow]:
        bad = self.bad_rows
        return [r for r in self.rows if r.row not in bad]

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": len(self.rows),
            "valid": len(self.valid_rows()),
            "bad_rows": len(self.bad_rows),
            "errors": [[e.row, e.field, e.message] for e in self.errors],
            "warnings": [[w.row, w.field, w.message] for w in self.warnings],
            "duplicates": [[d.row, d.message] for d in self.duplicates],
            # What the page lists (as the parser read them; shown neutralised).
            "shown": [
                [
                    r.row,
                    str(r.return_type),
                    r.school_urn,
                    r.forename,
                    r.surname,
                    r.date_of_birth.isoformat() if r.date_of_birth else "",
                    r.upn,
                    r.ground,
                ]
                for r in self.rows[:SHOWN_ROWS]
            ],
        }


def known_children_shown(*, batch: ImportBatch, by: User) -> list[Child]:
    """The children a batch's preview shows `by` as likely known, one each, in row order: the
    CME team alone is shown them (a school must not learn whether a child is known)."""
    if not is_la_staff(by):
        return []
    seen: dict[int, Child] = {}
    for match in batch.known_children.select_related("child"):
        seen.setdefault(match.child_id, match.child)
    return list(seen.values())


# --- the stored rows (ImportBatch.preview) ---------------------------------------------------


def import_preview(*, parsed: ParsedFile, by: User, school_urn: str = "") -> Preview:
    """Check every row; write nothing."""
    preview = Preview(
        source=parsed.source,
        rows=parsed.rows,
        errors=list(parsed.errors),
        warnings=[RowError(w.row, w.field, w.message) for w in parsed.warnings],
    )
    schools = _schools(parsed.rows)
    own_urn = ""
    if is_school_user(by) and by.organisation and by.organisation.school:
        own_urn = by.organisation.school.urn
    seen: dict[tuple[str, ...], int] = {}
    already_bad = preview.bad_rows
    already_warned = set(preview.warnings)
    checked: list[ReturnRow] = []
    for row in parsed.rows:
        if row.row in already_bad:
            continue
        problem: RowError | None = None
        if row.school_urn not in schools:
            problem = RowError(row.row, "school_urn", f"No school with URN {row.school_urn}")
        elif school_urn and row.school_urn != school_urn:
            problem = RowError(row.row, "school_urn", f"This import is for URN {school_urn} only")
        elif own_urn and row.school_urn != own_urn:
            problem = RowError(row.row, "school_urn", "You can only send returns for your school")
        elif row.new_school_urn and row.new_school_urn not in schools:
            problem = RowError(
                row.row, "new_school_urn", f"No school with URN {row.new_school_urn}"
            )
        elif (first := seen.get(_key(row))) is not None:
            problem = RowError(
                row.row, "upn" if row.upn else "surname", f"Duplicate of row {first}"
            )
        if problem is None:
            try:
                data = _data(row, schools)
                if isinstance(data, DeletionData):
                    verdict = deletion_return_check(data=data, by=by)
                else:
                    verdict = new_pupil_return_check(data=data, by=by)
            except IntakeError as error:
                problem = RowError(row.row, _column(error.field or ""), str(error))
            else:
                # The parser ran the same check; rows built another way get its warnings here.
                for warning in verdict.warnings:
                    flagged = RowError(row.row, _column(warning.field), warning.message)
                    if flagged not in already_warned:
                        preview.warnings.append(flagged)
        seen.setdefault(_key(row), row.row)
        if problem is not None:
            preview.errors.append(problem)
            continue
        checked.append(row)
    if is_la_staff(by):
        # Likely duplicates for the whole file in a few queries (never shown to a school).
        known = children_known(_child_key(r) for r in checked)
        for row in checked:
            child = known.get(_child_key(row))
            if child is not None:
                preview.known[row.row] = child
                preview.duplicates.append(
                    Duplicate(row.row, f"Likely the known child {child.full_name}")
                )
    preview.errors.sort(key=lambda e: (e.row, e.field))
    return preview
