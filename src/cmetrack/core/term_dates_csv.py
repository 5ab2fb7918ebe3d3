"""Read an authority's term dates from CSV into `AcademicYearCalendar`s (pure: text in).

The format, one row per term, INSET day (or run of days) or closure:

    academic_year,kind,name,start,end
    2025/26,term,Autumn 1,2025-09-01,2025-10-24
    2025/26,inset,Staff training,01/09/2025,

- `academic_year` is `2025/26` (`2025/2026` is accepted too).
- `kind` is `term`, `inset` or `closure` (any case).
- `name` is required for terms ("Autumn 1"); optional for the others.
- `start` and `end` are ISO (`2025-09-01`) or UK (`01/09/2025`) dates, both inclusive. An INSET
  or closure row may leave `end` blank for a single day.
- Column order does not matter and extra columns (notes, say) are ignored. Blank rows are
  skipped. UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes one), and only
  UTF-8: the file is small and written by hand, so "save it as CSV UTF-8" is the better answer
  than guessing (`decode_term_dates`, on `cmetrack.core.text_decoding`).

Errors are collected, not raised: every problem comes back as a `RowError` (spreadsheet row, the
header being row 1; column, or "header" / "file" for the file as a whole; message) so an
administrator can fix the whole file in one go. A year in which any row failed is left out of
`calendars` altogether and listed in `rejected_years`: half a year's terms would give school-day
counts that look right and are wrong.
Callers importing the file should normally commit nothing unless `ok`.

The bundled `data/sefton_term_dates.csv` is ILLUSTRATIVE: synthetic but realistic dates for
2024/25-2026/27 used for demos and tests. They are not any authority's published dates; an
authority loads its own.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources

from cmetrack.core import row_errors
from cmetrack.core.school_calendar import (
    AcademicYearCalendar,
    Term,
    academic_year_bounds,
    academic_year_label,
)
from cmetrack.core.text_decoding import (
    DecodingProblem,
    TextDecodingError,
    TextEncoding,
    decode_text,
)
from cmetrack.core.year_group import academic_year_start

COLUMNS: tuple[str, ...] = ("academic_year", "kind", "name", "start", "end")
KINDS: tuple[str, ...] = ("term", "inset", "closure")
BUNDLED_TERM_DATES_FILE = "sefton_term_dates.csv"

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")
_ACADEMIC_YEAR = re.compile(r"(\d{4})\s*/\s*(\d{2}|\d{4})")


TERM_DATES_ENCODINGS = frozenset({TextEncoding.UTF8})


class RowError(row_errors.RowError):
    """The one `cmetrack.core.row_errors.RowError`, written "Row 3, ..." with a capital as the
    term-dates command and its tests have always printed it (the other importers write "row 3").
    Nothing else differs; once the two agree on a case this class goes."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"Row {self.row}, {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class TermDatesParseResult:
    calendars: tuple[AcademicYearCalendar, ...]  # sorted by year; only years with no errors
    errors: tuple[RowError, ...]  # sorted by row
    rejected_years: tuple[int, ...]  # years left out because one of their rows failed

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class _Row:
    row: int
    year: int
    kind: str
    name: str
    start: date
    end: date


class _FieldError(ValueError):
    pass


def parse_date(value: str) -> date:
    """ISO `2025-09-01` or UK `01/09/2025` (leading zeros optional). ValueError if neither."""
    text = value.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) != 4:
            # 01/09/25 could be 1925 or 2025 to a spreadsheet; make the author say which.
            raise _FieldError(f"{text!r} has a two-digit year: write it as DD/MM/YYYY")
    else:
        raise _FieldError(f"{text!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY")
    try:
        return date(year, month, day)
    except ValueError:
        raise _FieldError(f"{text!r} is not a real date") from None


def _parse_academic_year(value: str) -> int:
    text = value.strip()
    match = _ACADEMIC_YEAR.fullmatch(text)
    if not match:
        raise _FieldError(f"{text!r} is not an academic year: write it like 2025/26")
    first, second = match.groups()
    start = int(first)
    expected = start + 1 if len(second) == 4 else (start + 1) % 100
    if int(second) != expected:
        raise _FieldError(
            f"{text!r} is not an academic year: the second year must follow the first "
            f"({academic_year_label(start)})"
        )
    return start


def decode_term_dates(data: bytes) -> str:
    """The text of an uploaded term-dates file: UTF-8, byte-order mark or not, and no NUL.
    Raises TextDecodingError otherwise."""
    return decode_text(data, accept=TERM_DATES_ENCODINGS)


def parse_term_dates_bytes(data: bytes) -> TermDatesParseResult:
    """Decode an uploaded file (UTF-8, optional BOM) and parse it; bad bytes become an error."""
    try:
        text = decode_term_dates(data)
    except TextDecodingError as error:
        if error.problem is DecodingProblem.NUL:
            found = "it contains NUL bytes, so it is not a CSV text file"
        else:
            # A UTF-16 file is refused here too: its first byte, 0xff or 0xfe, is not UTF-8.
            found = f"byte 0x{error.byte:02x}"
        return TermDatesParseResult(
            calendars=(),
            errors=(
                RowError(
                    error.line,
                    "file",
                    f"the file is not UTF-8 ({found}): save it from your spreadsheet as "
                    "'CSV UTF-8'",
                ),
            ),
            rejected_years=(),
        )
    return parse_term_dates_csv(text)


def parse_term_dates_csv(text: str) -> TermDatesParseResult:
    """Parse term-dates CSV text (see the module docstring). Never raises for bad content."""
    errors: list[RowError] = []
    # Rows whose year we know (from academic_year, or failing that from a readable start date)
    # so a failure can reject just that year; `None` means we cannot tell and reject them all.
    failed_years: set[int | None] = set()
    rows: list[_Row] = []

    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    row_number = 0
    try:
        header = next(reader, None)
        row_number = 1
        if header is None or not any(cell.strip() for cell in header):
            errors.append(RowError(1, "header", f"expected the header {','.join(COLUMNS)}"))
            return _result([], errors, {None})
        columns = _columns(header, errors)
        if columns is None:
            return _result([], errors, {None})
        for row_number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            cells = {name: (record[i] if i < len(record) else "") for name, i in columns.items()}
            parsed = _parse_row(row_number, cells, errors, failed_years)
            if parsed is not None:
                rows.append(parsed)
    except csv.Error as error:
        errors.append(RowError(row_number + 1, "file", f"the file is not valid CSV ({error})"))
        failed_years.add(None)

    calendars = _build_years(rows, errors, failed_years)
    return _result(calendars, errors, failed_years)


def _columns(header: list[str], errors: list[RowError]) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        if name in COLUMNS:
            if name in positions:
                errors.append(RowError(1, "header", f"the column {name!r} appears twice"))
                return None
            positions[name] = index
    missing = [name for name in COLUMNS if name not in positions]
    if missing:
        errors.append(
            RowError(
                1,
                "header",
                f"missing column(s) {', '.join(missing)}: expected the header {','.join(COLUMNS)}",
            )
        )
        return None
    return positions


def _parse_row(
    row: int, cells: dict[str, str], errors: list[RowError], failed_years: set[int | None]
) -> _Row | None:
    count_before = len(errors)

    year: int | None = None
    try:
        year = _parse_academic_year(cells["academic_year"])
    except _FieldError as error:
        errors.append(RowError(row, "academic_year", str(error)))

    kind = cells["kind"].strip().lower()
    if kind not in KINDS:
        shown = cells["kind"].strip()
        errors.append(RowError(row, "kind", f"{shown!r} is not one of {', '.join(KINDS)}"))

    name = cells["name"].strip()
    if kind == "term" and not name:
        errors.append(RowError(row, "name", "a term needs a name, e.g. Autumn 1"))

    start: date | None = None
    if not cells["start"].strip():
        errors.append(RowError(row, "start", "the start date is missing"))
    else:
        try:
            start = parse_date(cells["start"])
        except _FieldError as error:
            errors.append(RowError(row, "start", str(error)))

    end: date | None = None
    if not cells["end"].strip():
        if kind == "term":
            errors.append(RowError(row, "end", "a term needs an end date"))
        else:
            end = start  # a single INSET or closure day
    else:
        try:
            end = parse_date(cells["end"])
        except _FieldError as error:
            errors.append(RowError(row, "end", str(error)))

    if start is not None and end is not None and end < start:
        errors.append(RowError(row, "end", f"{end.isoformat()} is before the start date"))
    if year is not None:
        first, last = academic_year_bounds(year)
        for column, value in (("start", start), ("end", end)):
            if value is not None and not first <= value <= last:
                errors.append(
                    RowError(
                        row,
                        column,
                        f"{value.isoformat()} is not in {academic_year_label(year)} "
                        f"({first.isoformat()} to {last.isoformat()})",
                    )
                )

    if len(errors) > count_before:
        failed_years.add(year if year is not None else _year_of(start))
        return None
    assert year is not None and start is not None and end is not None  # no errors => all parsed
    return _Row(row, year, kind, name, start, end)


def _year_of(start: date | None) -> int | None:
    return academic_year_start(start) if start is not None else None


def _build_years(
    rows: list[_Row], errors: list[RowError], failed_years: set[int | None]
) -> list[AcademicYearCalendar]:
    by_year: dict[int, list[_Row]] = {}
    for parsed in rows:
        by_year.setdefault(parsed.year, []).append(parsed)

    calendars: list[AcademicYearCalendar] = []
    for year, year_rows in sorted(by_year.items()):
        count_before = len(errors)
        terms = sorted((r for r in year_rows if r.kind == "term"), key=lambda r: (r.start, r.end))
        if not terms:
            errors.append(
                RowError(
                    year_rows[0].row,
                    "academic_year",
                    f"{academic_year_label(year)} has INSET or closure days but no terms",
                )
            )
        # Compare each term with the one reaching furthest so far, so an overlap with any
        # earlier term is caught, not just with the one before it.
        furthest: _Row | None = None
        for term in terms:
            if furthest is not None and term.start <= furthest.end:
                errors.append(
                    RowError(
                        term.row,
                        "start",
                        f"term {term.name!r} overlaps term {furthest.name!r} on row {furthest.row}",
                    )
                )
            if furthest is None or term.end > furthest.end:
                furthest = term
        if len(errors) > count_before or year in failed_years:
            failed_years.add(year)
            continue
        inset = frozenset(d for r in year_rows if r.kind == "inset" for d in _days(r))
        closure = frozenset(d for r in year_rows if r.kind == "closure" for d in _days(r))
        try:
            calendars.append(
                AcademicYearCalendar(
                    year=year,
                    terms=tuple(Term(r.name, r.start, r.end) for r in terms),
                    inset_days=inset,
                    closure_days=closure,
                )
            )
        except ValueError as error:  # pragma: no cover - the checks above should catch it first
            errors.append(RowError(year_rows[0].row, "academic_year", str(error)))
            failed_years.add(year)
    return calendars


def _days(row: _Row) -> list[date]:
    return [date.fromordinal(n) for n in range(row.start.toordinal(), row.end.toordinal() + 1)]


def _result(
    calendars: list[AcademicYearCalendar], errors: list[RowError], failed_years: set[int | None]
) -> TermDatesParseResult:
    if None in failed_years:
        # A failed row we could not place in a year might have been any year's term.
        rejected = sorted({c.year for c in calendars} | {y for y in failed_years if y is not None})
        calendars = []
    else:
        rejected = sorted(y for y in failed_years if y is not None)
    return TermDatesParseResult(
        calendars=tuple(c for c in calendars if c.year not in rejected),
        errors=tuple(sorted(errors, key=lambda e: e.row)),
        rejected_years=tuple(rejected),
    )


def bundled_term_dates_text() -> str:
    """The illustrative term-dates file shipped with cmetrack (see the module docstring)."""
    path = resources.files("cmetrack.core") / "data" / BUNDLED_TERM_DATES_FILE
    return path.read_text(encoding="utf-8-sig")
