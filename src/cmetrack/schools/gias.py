"""Read the DfE Get Information About Schools (GIAS) establishment extract. Pure: no ORM.

The extract (`edubasealldata<yyyymmdd>.csv`, STANDARDS.md "LA numbers, DfE numbers, URNs") is
Windows-1252, about 140 columns that come and go between extracts, dates as dd-mm-yyyy. So we:

- decode UTF-8 (with or without BOM, as re-saved by Excel or LibreOffice) first, then cp1252
  (`cmetrack.core.text_decoding`; UTF-16 is refused: Excel's "Unicode text" is tab-separated);
- find columns by header name, never by position, and ignore the ones we do not use;
- keep every value as text, so codes such as an establishment number "0123" keep their zeros;
- report row-level problems as data (`RowError`, from `cmetrack.core.row_errors`) instead of
  raising, so the importer can show them all at once (ARCHITECTURE.md, "Imports are
  two-phase"). Only a file that cannot be read as a whole raises `GiasFileError`.

Row numbers are spreadsheet row numbers: the header is row 1, the first school row 2, which is
what an officer sees when they open the file to fix it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO, TypeVar

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.row_errors import RowError
from cmetrack.core.text_decoding import (
    DecodingProblem,
    TextDecodingError,
    TextEncoding,
    detect_encoding,
)

MB = 1024 * 1024
# DfE's download page lists the full "Establishment fields CSV" at about 61 MB (2024-25), and
# it grows; a 50 MB limit would refuse the very file this reader is for. The limit is there to
# stop a wrong file (a zip, a database dump) being read into memory, not to trim GIAS.
DEFAULT_MAX_BYTES = 100 * MB

# Column headers exactly as GIAS writes them.
COL_URN = "URN"
COL_LA_CODE = "LA (code)"
COL_LA_NAME = "LA (name)"
COL_ESTABLISHMENT_NUMBER = "EstablishmentNumber"
COL_NAME = "EstablishmentName"
COL_PHASE = "PhaseOfEducation (name)"
COL_TYPE = "TypeOfEstablishment (name)"
COL_STATUS = "EstablishmentStatus (name)"
COL_POSTCODE = "Postcode"
COL_OPEN_DATE = "OpenDate"
COL_CLOSE_DATE = "CloseDate"

REQUIRED_COLUMNS = (COL_URN, COL_NAME, COL_LA_CODE)

# Which School field each optional column feeds. When a column is absent from an extract the
# importer must leave that field alone rather than blank it, so the parser reports which of
# these fields the file actually supplied (`GiasParseResult.fields_present`).
OPTIONAL_COLUMN_FIELDS = {
    COL_LA_NAME: "la_name",
    COL_ESTABLISHMENT_NUMBER: "establishment_number",
    COL_PHASE: "phase",
    COL_TYPE: "type_name",
    COL_STATUS: "status_name",  # and is_open, which is derived from it
    COL_POSTCODE: "postcode",
}
ALWAYS_PRESENT_FIELDS = ("urn", "la_code", "name")
# School field -> the column it came from, so errors found later (e.g. a value too long for the
# database column) can still be reported in the file's own terms.
FIELD_COLUMNS = {
    "urn": COL_URN,
    "la_code": COL_LA_CODE,
    "name": COL_NAME,
    **{field: column for column, field in OPTIONAL_COLUMN_FIELDS.items()},
    "is_open": COL_STATUS,
}

# Whole-row problems (wrong number of cells) are reported against this pseudo-field.
ROW_FIELD = "(row)"

_URN_RE = re.compile(r"[0-9]{6}")
_LA_CODE_RE = re.compile(r"[0-9]{3}")
_ESTABLISHMENT_NUMBER_RE = re.compile(r"[0-9]{4}")
_DATE_RE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")

_T = TypeVar("_T")


class GiasFileError(Exception):
    """The file cannot be read at all (missing, too big, wrong encoding, not the GIAS layout)."""


@dataclass(frozen=True)
class GiasSchool:
    """One establishment row, already validated. Attribute names match School's fields."""

    row: int
    urn: str
    la_code: str
    la_name: str
    establishment_number: str
    name: str
    phase: str
    type_name: str
    status_name: str
    is_open: bool
    postcode: str
    # School has no date fields yet; parsed so a malformed extract is caught early, and kept
    # for intake rules that will want "was this school open on that date".
    open_date: date | None
    close_date: date | None


@dataclass(frozen=True)
class GiasParseResult:
    schools: list[GiasSchool]
    errors: list[RowError]
    fields_present: frozenset[str]
    rows_read: int

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


def _shown(value: str) -> str:
    # Quote what we found so a stray space or letter is visible, but keep a runaway cell short.
    return repr(value if len(value) <= 40 else value[:37] + "...")


def parse_urn(text: str) -> str:
    """' 100001 ' -> '100001'. Exactly six ASCII digits, returned as text with zeros intact."""
    value = text.strip()
    if not value:
        raise ValueError("is blank")
    if not _URN_RE.fullmatch(value):
        raise ValueError(f"must be 6 digits, found {_shown(value)}")
    return value


def parse_la_code(text: str) -> str:
    """'343' -> '343'. Exactly three digits (the LA number, e.g. Sefton 343)."""
    value = text.strip()
    if not value:
        raise ValueError("is blank")
    if not _LA_CODE_RE.fullmatch(value):
        raise ValueError(f"must be 3 digits, found {_shown(value)}")
    return value


def parse_establishment_number(text: str) -> str:
    """'2000' -> '2000'; blank stays blank (GIAS leaves it empty for some establishment types)."""
    value = text.strip()
    if value and not _ESTABLISHMENT_NUMBER_RE.fullmatch(value):
        raise ValueError(f"must be 4 digits or blank, found {_shown(value)}")
    return value


def parse_gias_date(text: str) -> date | None:
    """'01-09-2026' -> date(2026, 9, 1); blank -> None. GIAS writes dd-mm-yyyy and nothing else."""
    value = text.strip()
    if not value:
        return None
    match = _DATE_RE.fullmatch(value)
    if not match:
        raise ValueError(f"must be a date as dd-mm-yyyy, found {_shown(value)}")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"is not a real date: {_shown(value)}") from None


def is_open_status(status_name: str) -> bool:
    """GIAS statuses: "Open", "Open, but proposed to close" are open; "Closed" and "Proposed to
    open" are not (a proposed school has no pupils yet, so no child can be on its roll)."""
    return status_name.startswith("Open")


def read_limited(source: str | os.PathLike[str] | bytes | BinaryIO, *, max_bytes: int) -> bytes:
    """The file's bytes, refusing anything over `max_bytes` without reading all of it."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except FileNotFoundError:
            raise GiasFileError(f"no such file: {os.fspath(source)}") from None
        except OSError as exc:
            raise GiasFileError(f"cannot read {os.fspath(source)}: {exc.strerror}") from None
    else:
        data = source.read(max_bytes + 1)
        if not isinstance(data, bytes):
            # A text-mode handle would already have been decoded with a guessed encoding.
            raise TypeError("open the GIAS file in binary mode ('rb')")
    if len(data) > max_bytes:
        raise GiasFileError(
            f"the file is larger than the {max_bytes / MB:g} MB limit; is it the GIAS extract?"
        )
    return data


# GIAS is published in Windows-1252; a re-saved copy may be UTF-8.
GIAS_ENCODINGS = frozenset({TextEncoding.UTF8, TextEncoding.CP1252})


def _encoding(data: bytes) -> TextEncoding:
    """The encoding to read the extract with (`cmetrack.core.text_decoding`), checked without
    building the decoded text: a full extract is ~60 MB, and its text two to four times that."""
    try:
        return detect_encoding(data, accept=GIAS_ENCODINGS)
    except TextDecodingError as error:
        if error.problem is DecodingProblem.INVALID:
            raise GiasFileError(
                f"the file is neither UTF-8 nor Windows-1252 (byte 0x{error.byte:02x} at offset "
                f"{error.offset}); is it the GIAS CSV?"
            ) from None
        # NUL never appears in a real extract; UTF-16 ("Unicode text" from Excel) is full of
        # them, or starts with its byte-order mark.
        raise GiasFileError(
            "the file contains NUL bytes: it is not a UTF-8 or Windows-1252 CSV (UTF-16 text or "
            "a spreadsheet saved as something else?)"
        ) from None


def _column_index(header: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    wanted = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMN_FIELDS, COL_OPEN_DATE, COL_CLOSE_DATE}
    for position, raw_name in enumerate(header):
        name = raw_name.strip()
        if name in wanted and name in index:
            # Two columns with the same name: we cannot know which one is meant.
            raise GiasFileError(f"the column {name!r} appears more than once in the header")
        index.setdefault(name, position)
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        raise GiasFileError(
            "required column missing: "
            + ", ".join(repr(name) for name in missing)
            + "; is this the GIAS establishment extract (edubasealldata<yyyymmdd>.csv)?"
        )
    return index


def parse_gias(
    source: str | os.PathLike[str] | bytes | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> GiasParseResult:
    """Parse and validate a whole extract. Raises GiasFileError only for an unreadable file."""
    data = read_limited(source, max_bytes=max_bytes)
    # Decode line by line as csv reads: newline="" so csv sees \r\n inside quoted cells as
    # written (the csv module's documented requirement).
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")
    # csv.reader with a name -> position map rather than DictReader: same by-name mapping, but no
    # 140-key dict built per row for the 11 columns we read (it matters at 50,000 rows).
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise GiasFileError("the file is empty")
        index = _column_index(header)
        width = len(header)
        schools: list[GiasSchool] = []
        errors: list[RowError] = []
        rows_by_urn: dict[str, list[int]] = defaultdict(list)
        rows_read = 0
        for row_number, record in enumerate(reader, start=2):
            if not any(value.strip() for value in record):
                # Blank lines, and the ",,,,," rows Excel leaves after edited data: not schools.
                continue
            rows_read += 1
            # A wrong cell count means an unquoted comma or quote shifted the columns: every
            # value in the row is suspect, so report the row and do not read it further.
            # Trailing empty cells are harmless (some tools pad rows).
            if len(record) < width or any(extra.strip() for extra in record[width:]):
                errors.append(
                    RowError(
                        row_number,
                        ROW_FIELD,
                        f"has {len(record)} cells but the header has {width}; "
                        "is there an unquoted comma or quote?",
                    )
                )
                continue
            school, row_errors = _parse_row(row_number, record, index)
            errors.extend(row_errors)
            if school is not None:
                schools.append(school)
            urn = _cell(record, index, COL_URN)
            if _URN_RE.fullmatch(urn):
                rows_by_urn[urn].append(row_number)
    except csv.Error as exc:
        raise GiasFileError(f"not a readable CSV file (line {reader.line_num}): {exc}") from None

    # A URN twice in one extract means a corrupt or hand-edited file, and we cannot tell which
    # row is right: flag every occurrence so none of them is imported, even with --valid-only.
    duplicated = {urn: rows for urn, rows in rows_by_urn.items() if len(rows) > 1}
    if duplicated:
        for urn, rows in duplicated.items():
            # Keep each message short even if one URN fills the file.
            listed = ", ".join(str(row) for row in rows[:5])
            if len(rows) > 5:
                listed += f" and {len(rows) - 5} more"
            errors.extend(
                RowError(row, COL_URN, f"{urn} appears more than once in the file (rows {listed})")
                for row in rows
            )
        schools = [school for school in schools if school.urn not in duplicated]
        errors.sort(key=lambda error: error.row)

    fields_present = {*ALWAYS_PRESENT_FIELDS}
    for column, field in OPTIONAL_COLUMN_FIELDS.items():
        if column in index:
            fields_present.add(field)
    if COL_STATUS in index:
        fields_present.add("is_open")
    return GiasParseResult(
        schools=schools,
        errors=errors,
        fields_present=frozenset(fields_present),
        rows_read=rows_read,
    )


def _cell(record: list[str], index: dict[str, int], column: str) -> str:
    position = index.get(column)
    # An optional column the extract does not carry reads as blank.
    if position is None or position >= len(record):
        return ""
    return record[position].strip()


def _parse_row(
    row_number: int, record: list[str], index: dict[str, int]
) -> tuple[GiasSchool | None, list[RowError]]:
    errors: list[RowError] = []

    def cell(column: str) -> str:
        return _cell(record, index, column)

    def check(column: str, parse: Callable[[str], _T], default: _T) -> _T:
        # Collect every problem in the row, not just the first, so one pass fixes the file.
        try:
            return parse(cell(column))
        except ValueError as exc:
            errors.append(RowError(row_number, column, str(exc)))
            return default

    urn = check(COL_URN, parse_urn, "")
    la_code = check(COL_LA_CODE, parse_la_code, "")
    establishment_number = check(COL_ESTABLISHMENT_NUMBER, parse_establishment_number, "")
    open_date = check(COL_OPEN_DATE, parse_gias_date, None)
    close_date = check(COL_CLOSE_DATE, parse_gias_date, None)
    name = cell(COL_NAME)
    if not name:
        errors.append(RowError(row_number, COL_NAME, "is blank"))
    if errors:
        return None, errors

    raw_postcode = cell(COL_POSTCODE)
    # A postcode that does not fit the pattern is kept as given (STANDARDS.md: a bad postcode is
    # a warning, never a block); it still identifies the school to a human reader.
    postcode = (normalise_postcode(raw_postcode) if raw_postcode else None) or raw_postcode
    status_name = cell(COL_STATUS)
    return (
        GiasSchool(
            row=row_number,
            urn=urn,
            la_code=la_code,
            la_name=cell(COL_LA_NAME),
            establishment_number=establishment_number,
            name=name,
            phase=cell(COL_PHASE),
            type_name=cell(COL_TYPE),
            status_name=status_name,
            is_open=is_open_status(status_name),
            postcode=postcode,
            open_date=open_date,
            close_date=close_date,
        ),
        errors,
    )
