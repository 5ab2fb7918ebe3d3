"""Writes to term dates. Keyword-only, one transaction each, audited (auditlog, `acting_as`).

An import is all or nothing: a file with any row error writes nothing, because half a year's
terms would give school-day counts that look right and are wrong. A clean file replaces, for each
academic year it contains, every row of that year in the same scope (the authority's rows, or
one school's) with the file's rows. Rows that are already exactly as in the file are left alone,
so a second import of the same file writes nothing and the audit log shows only real changes.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import CharField

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.core.school_calendar import AcademicYearCalendar, Term, academic_year_label
from cmetrack.core.term_dates_csv import (
    COLUMNS,
    RowError,
    bundled_term_dates_text,
    decode_term_dates,
    parse_date,
    parse_term_dates_bytes,
)
from cmetrack.core.year_group import academic_year_start
from cmetrack.schools.models import School

from .models import FIRST_ACADEMIC_YEAR, LAST_ACADEMIC_YEAR, TermDate
from .selectors import school_calendar_cache_clear

# The parser's message for a year listing INSET or closure days but no terms.
_NO_TERMS = "has INSET or closure days but no terms"

_Key = tuple[str, str, date, date]  # kind, name, start, end: what makes two rows the same date


@dataclass(frozen=True)
class TermDatesImportResult:
    """What an import did, or (dry run) would have done. Nothing is written when `rejected`."""

    errors: tuple[RowError, ...]
    years_changed: tuple[int, ...]  # academic years whose rows were (or would be) replaced
    years_unchanged: tuple[int, ...]  # already exactly as in the file
    years_skipped: tuple[int, ...]  # already loaded, left alone because replace_years=False
    created: int
    deleted: int
    unchanged: int
    committed: bool  # True only when something was actually written

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def years(self) -> tuple[int, ...]:
        """Every academic year in the file, ascending."""
        return tuple(sorted(self.years_changed + self.years_unchanged + self.years_skipped))


@dataclass(frozen=True, slots=True)
class _FileRow:
    row: int
    academic_year: int
    kind: str
    name: str
    start: date
    end: date

    @property
    def key(self) -> _Key:
        return (self.kind, self.name, self.start, self.end)


def _key(row: TermDate) -> _Key:
    return (row.kind, row.name, row.start, row.end)


def term_dates_import(
    *,
    data: bytes,
    by: User | None,
    replace_years: bool = True,
    school: School | None = None,
    commit: bool = True,
) -> TermDatesImportResult:
    """Load a term-dates CSV (format: `cmetrack.core.term_dates_csv`) for the authority, or for
    one school when `school` is given.

    - Any row error: nothing is written and the errors come back, sorted by row.
    - Otherwise, for each academic year in the file, that scope's rows for the year become
      exactly the file's rows. Other years, and the other scope, are untouched.
    - `replace_years=False` leaves a year that already has rows in this scope as it is (reported
      in `years_skipped`): for loading example dates without overwriting an authority's own.
    - `commit=False` is the preview: the same checks and counts, no writes.
    - Idempotent: importing the same file again writes nothing.
    """
    parsed = parse_term_dates_bytes(data)
    errors = list(parsed.errors)
    if school is not None:
        # The parser insists every year has terms, which is right for the authority's dates,
        # but a school's own file is usually just its INSET days on top of the authority's
        # terms. Every row of such a year has passed the row checks; only this one is waived.
        errors = [error for error in errors if not _is_no_terms_error(error)]
    rows: list[_FileRow] = []
    if not errors:
        rows = _file_rows(data)
        errors.extend(_storage_errors(rows))
        if not rows:
            errors.append(RowError(1, "file", "the file has a header but no term dates"))
        elif not _agrees(rows, parsed.calendars):  # pragma: no cover - a bug, not bad data
            raise RuntimeError("term dates were read differently by the parser and the importer")
    if errors:
        return TermDatesImportResult(
            errors=tuple(sorted(errors, key=lambda error: error.row)),
            years_changed=(),
            years_unchanged=(),
            years_skipped=(),
            created=0,
            deleted=0,
            unchanged=0,
            committed=False,
        )

    wanted_by_year: dict[int, list[_FileRow]] = defaultdict(list)
    for file_row in rows:
        wanted_by_year[file_row.academic_year].append(file_row)

    changed: list[int] = []
    same: list[int] = []
    skipped: list[int] = []
    to_create: list[TermDate] = []
    to_delete: list[TermDate] = []
    unchanged = 0
    with transaction.atomic(), acting_as(by):
        # Locked (on PostgreSQL) so two imports of the same years cannot interleave.
        current = TermDate.objects.select_for_update().filter(
            school=school, academic_year__in=list(wanted_by_year)
        )
        current_by_year: dict[int, list[TermDate]] = defaultdict(list)
        for existing in current.order_by("pk"):
            current_by_year[existing.academic_year].append(existing)

        for year, wanted in sorted(wanted_by_year.items()):
            have = current_by_year.get(year, [])
            if have and not replace_years:
                skipped.append(year)
                continue
            # Multisets, so a row listed twice in the file is stored twice, as written.
            missing = Counter(file_row.key for file_row in wanted)
            extra: list[TermDate] = []
            for existing in have:
                if missing[_key(existing)] > 0:
                    missing[_key(existing)] -= 1
                    unchanged += 1
                else:
                    extra.append(existing)
            new = [
                TermDate(
                    academic_year=year,
                    kind=kind,
                    name=name,
                    start=start,
                    end=end,
                    school=school,
                )
                for (kind, name, start, end), count in sorted(missing.items())
                for _ in range(count)
            ]
            (changed if extra or new else same).append(year)
            to_delete.extend(extra)
            to_create.extend(new)

        committed = commit and bool(to_delete or to_create)
        if committed:
            # One row at a time, not bulk_create, so each change reaches the audit log.
            for old in to_delete:
                old.delete()
            for row in to_create:
                row.full_clean()
                row.save()
    if committed:
        # The selector would notice the change on its next call anyway; this frees memory now.
        school_calendar_cache_clear()

    return TermDatesImportResult(
        errors=(),
        years_changed=tuple(changed),
        years_unchanged=tuple(same),
        years_skipped=tuple(skipped),
        created=len(to_create),
        deleted=len(to_delete),
        unchanged=unchanged,
        committed=committed,
    )


def term_dates_load_bundled(
    *, by: User | None = None, replace_years: bool = False
) -> TermDatesImportResult:
    """Load the illustrative term dates shipped with cmetrack (2024/25-2026/27) for the demo.

    By default a year the authority has already loaded is left alone, so running the demo seeder
    on an installation with real dates never overwrites them with made-up ones.
    """
    return term_dates_import(
        data=bundled_term_dates_text().encode("utf-8"), by=by, replace_years=replace_years
    )


def _file_rows(data: bytes) -> list[_FileRow]:
    """The rows of a file the parser accepted, with their names and row numbers.

    The parser returns calendars, which keep INSET and closure days only as dates; we store the
    rows as written so the admin shows "Staff training" and a later edit is one row, not five.
    Only called once the parser has accepted every row, so nothing here can fail.
    """
    text = decode_term_dates(data).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    columns = {
        cell.strip().lower(): index
        for index, cell in enumerate(header)
        if cell.strip().lower() in COLUMNS
    }
    rows: list[_FileRow] = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {
            name: record[index].strip() if index < len(record) else ""
            for name, index in columns.items()
        }
        start = parse_date(cells["start"])
        end = parse_date(cells["end"]) if cells["end"] else start
        rows.append(
            _FileRow(
                row=number,
                # The parser checked both dates lie in the academic_year column's year.
                academic_year=academic_year_start(start),
                kind=cells["kind"].lower(),
                name=cells["name"],
                start=start,
                end=end,
            )
        )
    return rows


def _is_no_terms_error(error: RowError) -> bool:
    # The parser's wording (term_dates_csv._build_years); test_services pins it, so a change
    # there fails a test here rather than silently rejecting schools' INSET-only files.
    return error.field == "academic_year" and error.message.endswith(_NO_TERMS)


def _agrees(rows: list[_FileRow], calendars: tuple[AcademicYearCalendar, ...]) -> bool:
    """Whether our reading of the rows gives exactly the parser's calendars (a year with no
    terms, allowed in a school's file, has no calendar)."""
    by_year = {calendar.year: calendar for calendar in calendars}
    if not by_year.keys() <= {row.academic_year for row in rows}:
        return False
    for year in {row.academic_year for row in rows}:
        year_rows = [row for row in rows if row.academic_year == year]
        calendar = by_year.get(year)
        if calendar is None:
            if any(row.kind == "term" for row in year_rows):
                return False
            continue
        terms = {Term(row.name, row.start, row.end) for row in year_rows if row.kind == "term"}
        inset = {day for row in year_rows if row.kind == "inset" for day in _days(row)}
        closure = {day for row in year_rows if row.kind == "closure" for day in _days(row)}
        if (set(calendar.terms), calendar.inset_days, calendar.closure_days) != (
            terms,
            inset,
            closure,
        ):
            return False
    return True


def _days(row: _FileRow) -> list[date]:
    return [row.start + timedelta(days=n) for n in range((row.end - row.start).days + 1)]


def _storage_errors(rows: list[_FileRow]) -> list[RowError]:
    """What the parser allows but the table does not. SQLite would store an over-long name
    anyway and PostgreSQL would fail the whole transaction at the end, so check up front."""
    field = TermDate._meta.get_field("name")
    assert isinstance(field, CharField) and field.max_length is not None
    limit = field.max_length
    errors: list[RowError] = []
    for row in rows:
        if not FIRST_ACADEMIC_YEAR <= row.academic_year <= LAST_ACADEMIC_YEAR:
            errors.append(
                RowError(
                    row.row,
                    "academic_year",
                    f"{academic_year_label(row.academic_year)} is not a year cmetrack can hold "
                    f"({academic_year_label(FIRST_ACADEMIC_YEAR)} to "
                    f"{academic_year_label(LAST_ACADEMIC_YEAR)})",
                )
            )
        if len(row.name) > limit:
            errors.append(
                RowError(
                    row.row, "name", f"is {len(row.name)} characters long; the most is {limit}"
                )
            )
    return errors
