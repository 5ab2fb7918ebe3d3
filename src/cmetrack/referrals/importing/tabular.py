"""CSV and XLSX return files, and the row validation every parser shares.

The header is matched by name, case-insensitively ("Date of birth" = "date_of_birth"); unknown
columns are ignored; a missing required column makes the whole file unreadable. Every row is
then checked and every problem collected as a `RowError` (row, field, message); things the
officer should see but that do not block (outside compulsory school age, odd postcode) become
`RowWarning`s. Row numbers are what a spreadsheet shows: the header is row 1, and blank lines
are skipped but still counted.

The rules for a row are the ones the web form and the services use (`referrals.checks`), so a
row and a form with the same particulars get the same verdict. No database here: whether a
school URN exists and whether a child is already known are the import service's checks.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import IO, Any

from cmetrack.core.text_decoding import (
    DecodingProblem,
    TextDecodingError,
    TextEncoding,
    decode_text,
)
from cmetrack.core.upn import normalise_upn
from cmetrack.referrals.checks import Verdict, deletion_check, new_pupil_check
from cmetrack.referrals.checks.child import check_child
from cmetrack.referrals.importing.rows import (
    TEMPLATE_COLUMNS,
    ParsedFile,
    ReturnRow,
    ReturnType,
    RowError,
    RowWarning,
    UnreadableFile,
)
from cmetrack.referrals.importing.values import (
    clean_text,
    parse_date,
    parse_ground,
    parse_sex,
    parse_urn,
)
from cmetrack.referrals.particulars import ChildParticulars, DeletionData, NewPupilData

# Columns a file must have; the rest of TEMPLATE_COLUMNS may be left out of an MIS export
# (rows that then lack, say, a ground get a row error, which is clearer than refusing the file).
REQUIRED_COLUMNS = ("return_type", "school_urn", "surname", "forename", "date_of_birth")

# The most rows one file may have (blank rows are counted apart, against the same number), and
# the most an .xlsx (a zip of XML) may inflate to (zip bomb). The import service passes the
# configured values (CMETRACK_IMPORT_MAX_ROWS, CMETRACK_IMPORT_MAX_UNZIPPED_BYTES).
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_UNZIPPED_BYTES = 50_000_000

# `progress(rows_read)` is called every PROGRESS_EVERY rows, for a page showing how far it got.
Progress = Callable[[int], None]
PROGRESS_EVERY = 500

_HEADER_SEPARATORS = re.compile(r"[\s\-]+")

# The shared checks name fields as the web form does; a return file names some differently.
COLUMN_FOR = {
    "forenames": "forename",
    "parent_names": "parent_name",
    "emergency_phone": "parent_phone",
    "new_school": "new_school_urn",
    "new_address_from": "date_of_move",
}


def _header_key(value: object) -> str:
    # "Date of birth", "DATE-OF-BIRTH", " date_of_birth* " all become "date_of_birth".
    return _HEADER_SEPARATORS.sub("_", clean_text(value).strip("* ").casefold())


def map_header(cells: Sequence[object]) -> dict[str, int]:
    """Column name -> index for the template columns present; UnreadableFile if any required
    column is missing or a column appears twice."""
    index: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = _header_key(cell)
        if key not in TEMPLATE_COLUMNS:
            continue  # unknown columns (MIS extras) are ignored
        if key in index:
            raise UnreadableFile(
                f"The header has the column {key!r} twice (columns {index[key] + 1} and "
                f"{position + 1}); remove one and upload again."
            )
        index[key] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        raise UnreadableFile(
            "The header row is missing the required column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ". The first row must be the header; download the template to see every column."
        )
    return index


def _blank(cells: Sequence[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


class RowValidator:
    """Checks rows one at a time, remembering what it needs to spot duplicates in the file."""

    def __init__(
        self,
        today: date,
        *,
        max_rows: int = DEFAULT_MAX_ROWS,
        progress: Progress | None = None,
    ) -> None:
        self.today = today
        self.max_rows = max_rows
        self.progress = progress
        self.count = 0  # rows given to add(), whatever their verdict
        self.rows: list[ReturnRow] = []
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self._seen: dict[tuple[object, ...], int] = {}

    def result(self, source: str) -> ParsedFile:
        return ParsedFile(tuple(self.rows), tuple(self.errors), tuple(self.warnings), source)

    def add(
        self,
        row: int,
        cells: Mapping[str, object],
        *,
        lost_pupil: bool = False,
        notes: Iterable[RowWarning] = (),
    ) -> None:
        """Validate one row (field name -> raw cell value). `lost_pupil` marks a row from a
        lost-pupil CTF (destination unknown), which the check flags as such."""
        self.count += 1
        if self.count > self.max_rows:
            raise too_many_rows(self.max_rows)
        if self.progress is not None and self.count % PROGRESS_EVERY == 0:
            self.progress(self.count)
        errors: list[RowError] = []
        warnings: list[RowWarning] = list(notes)

        def error(field: str, message: str) -> None:
            errors.append(RowError(row, field, message))

        def checked(field: str, parse: Any, default: Any) -> Any:
            try:
                return parse(cells.get(field))
            except ValueError as exc:
                error(field, str(exc))
                return default

        # --- field by field -------------------------------------------------------------
        return_type: ReturnType | None = None
        raw_type = _HEADER_SEPARATORS.sub("_", clean_text(cells.get("return_type")).casefold())
        if not raw_type:
            error("return_type", "is required: deletion or new_pupil")
        else:
            try:
                return_type = ReturnType(raw_type)
            except ValueError:
                error("return_type", f"must be deletion or new_pupil, not {raw_type!r}")

        school_urn = checked("school_urn", parse_urn, "")
        if not school_urn and not any(e.field == "school_urn" for e in errors):
            error("school_urn", "is required (the school's 6-digit URN)")

        upn_given = clean_text(cells.get("upn"))
        upn = normalise_upn(upn_given)
        surname = clean_text(cells.get("surname"))
        forename = clean_text(cells.get("forename"))
        date_of_birth: date | None = checked("date_of_birth", parse_date, None)
        sex = checked("sex", parse_sex, "U")
        postcode = clean_text(cells.get("postcode"))
        ground = checked("ground", parse_ground, "")
        deletion_date: date | None = checked("deletion_date", parse_date, None)
        start_date: date | None = checked("start_date", parse_date, None)
        date_of_move: date | None = checked("date_of_move", parse_date, None)
        absence_from: date | None = checked("absence_from", parse_date, None)
        new_school_urn = checked("new_school_urn", parse_urn, "")
        if return_type is ReturnType.NEW_PUPIL and ground:
            warnings.append(
                RowWarning(row, "ground", "is only for deletion rows; ignored on a new pupil")
            )
            ground = ""

        # --- the same check as the web form and the services (referrals.checks) -----------
        child = ChildParticulars(
            forenames=forename,
            surname=surname,
            date_of_birth=date_of_birth,
            sex=sex,
            upn=upn_given,
            address_line_1=clean_text(cells.get("address_line_1")),
            town=clean_text(cells.get("town")),
            postcode=postcode,
        )
        if return_type is ReturnType.DELETION:
            verdict = deletion_check(
                DeletionData(
                    child=child,
                    school=None,
                    ground=ground,
                    deletion_date=deletion_date,
                    emergency_phone=clean_text(cells.get("parent_phone")),
                    parent_names=clean_text(cells.get("parent_name")),
                    parent_2_name=clean_text(cells.get("parent_2_name")),
                    parent_2_phone=clean_text(cells.get("parent_2_phone")),
                    new_address=clean_text(cells.get("new_address")),
                    new_address_from=date_of_move,
                    new_school_urn=new_school_urn,
                    lost_pupil=lost_pupil,
                    absence_from=absence_from,
                ),
                today=self.today,
            )
        elif return_type is ReturnType.NEW_PUPIL:
            verdict = new_pupil_check(
                NewPupilData(
                    child=child,
                    school=None,
                    start_date=start_date,
                    parent_names=clean_text(cells.get("parent_name")),
                    parent_phone=clean_text(cells.get("parent_phone")),
                ),
                today=self.today,
            )
        else:
            verdict = Verdict()
            check_child(child, verdict, today=self.today)
        failed = {e.field for e in errors}
        for problem in verdict.errors:
            name = COLUMN_FOR.get(problem.field, problem.field)
            if name not in failed:  # a cell that did not parse keeps that one message
                error(name, problem.message)
        for problem in verdict.warnings:
            name = COLUMN_FOR.get(problem.field, problem.field)
            warnings.append(RowWarning(row, name, problem.message))
        if verdict.has_error("date_of_birth"):
            date_of_birth = None
        # Only a UPN that passes the DfE's rules is a key for duplicates; an unverified one is
        # kept on the row as typed, for the service to record as unverified.
        key_upn = verdict.upn
        if verdict.unverified_upn:
            upn = verdict.unverified_upn

        # --- duplicates within the file ---------------------------------------------------
        if return_type is not None and school_urn:
            key: tuple[object, ...] | None = None
            what = ""
            if key_upn:
                key = ("upn", return_type, school_urn, key_upn)
                what = "same return type, school and UPN (DfE rule 1520)"
            elif surname and forename and date_of_birth:
                key = (
                    "name",
                    return_type,
                    school_urn,
                    surname.casefold(),
                    forename.casefold(),
                    date_of_birth,
                )
                what = "same return type, school, name and date of birth, and no UPN"
            if key is not None:
                earlier = self._seen.setdefault(key, row)
                if earlier != row:
                    error("upn" if key_upn else "surname", f"duplicates row {earlier} ({what})")

        self.errors.extend(errors)
        self.warnings.extend(warnings)
        if return_type is None:
            return  # nothing sensible to preview as a return
        self.rows.append(
            ReturnRow(
                row=row,
                return_type=return_type,
                school_urn=school_urn,
                surname=surname,
                forename=forename,
                date_of_birth=date_of_birth,
                sex=sex,
                upn=upn,
                address_line_1=clean_text(cells.get("address_line_1")),
                town=clean_text(cells.get("town")),
                postcode=postcode,
                parent_name=clean_text(cells.get("parent_name")),
                parent_phone=clean_text(cells.get("parent_phone")),
                parent_2_name=clean_text(cells.get("parent_2_name")),
                parent_2_phone=clean_text(cells.get("parent_2_phone")),
                ground=ground,
                deletion_date=deletion_date,
                start_date=start_date,
                new_school_urn=new_school_urn,
                new_address=clean_text(cells.get("new_address")),
                date_of_move=date_of_move,
                lost_pupil=lost_pupil,
                absence_from=absence_from,
            )
        )


def too_many_rows(max_rows: int) -> UnreadableFile:
    return UnreadableFile(
        f"The file has more than {max_rows:,} rows, the most one import takes. Split the file "
        f"into files of up to {max_rows:,} rows each and upload them one at a time."
    )


def validate_table(
    rows: Iterable[Sequence[object]],
    *,
    today: date,
    source: str,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ParsedFile:
    """Rows of cells (the first non-blank one is the header) -> ParsedFile. More than
    `max_rows` rows, or as many blank ones (a sheet can claim a million empty rows in a few
    bytes), make the file unreadable."""
    validator = RowValidator(today, max_rows=max_rows, progress=progress)
    header: dict[str, int] | None = None
    blank = 0
    for number, cells in enumerate(rows, start=1):
        if _blank(cells):
            blank += 1
            if blank > max_rows:
                raise UnreadableFile(
                    f"The file has more than {max_rows:,} blank rows. Delete the empty rows "
                    "(or split the file) and upload it again."
                )
            continue  # skipped, but still counted, so numbers match the spreadsheet
        if header is None:
            header = map_header(cells)
            continue
        width = len(cells)
        validator.add(number, {name: cells[i] if i < width else None for name, i in header.items()})
    if header is None:
        raise UnreadableFile("The file is empty: it has no header row and no pupils.")
    return validator.result(source)


# --- CSV ----------------------------------------------------------------------------------


# UTF-16 (Excel's "Unicode text") is refused with advice to re-save, as this importer always
# has; adding TextEncoding.UTF16 here would read it (its tabs are handled by `_delimiter`).
CSV_ENCODINGS = frozenset({TextEncoding.UTF8, TextEncoding.CP1252})


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; UTF-16 and binary files are refused
    (`cmetrack.core.text_decoding`, in the messages the upload page shows)."""
    try:
        return decode_text(data, accept=CSV_ENCODINGS)
    except TextDecodingError as error:
        if error.problem is DecodingProblem.UTF16_REFUSED:
            message = (
                "The file is UTF-16 text (Excel's 'Unicode text'), which is not accepted. "
                "Save it as 'CSV UTF-8 (comma delimited)' and upload it again."
            )
        elif error.problem is DecodingProblem.NUL:
            message = (
                "The file contains NUL bytes, so it is not a CSV text file (it may be UTF-16 or "
                "a binary file). Save it as 'CSV UTF-8 (comma delimited)' and upload it again."
            )
        else:
            message = (
                f"The file is neither UTF-8 nor Windows-1252 text (byte 0x{error.byte:02X} at "
                f"position {error.offset} cannot be read). Save it as 'CSV UTF-8' and upload it "
                "again."
            )
        raise UnreadableFile(message) from None


def _delimiter(text: str) -> str:
    # MIS "CSV" exports are sometimes tab- or semicolon-separated: judge by the first line.
    first = text.lstrip("\r\n").split("\n", 1)[0]
    if "," in first:
        return ","
    return max(("\t", ";"), key=first.count) if ("\t" in first or ";" in first) else ","


def _csv_rows(reader: Iterator[list[str]], line: Any) -> Iterator[list[str]]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableFile(f"The CSV file cannot be read at line {line()}: {exc}.") from None
        yield cells


def parse_csv(
    data: bytes,
    *,
    today: date,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ParsedFile:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    return validate_table(
        _csv_rows(reader, lambda: reader.line_num),
        today=today,
        source="CSV",
        max_rows=max_rows,
        progress=progress,
    )


# --- XLSX ---------------------------------------------------------------------------------


def _xlsx_rows(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    # openpyxl raises whatever its XML and zip layers raise on a damaged sheet.
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except UnreadableFile:
            raise  # the inflation cap (_CappedZipFile)
        except Exception as exc:  # hostile input: anything the library raises means unreadable
            raise UnreadableFile(
                f"The Excel workbook is damaged and cannot be read ({exc})."
            ) from None
        yield cells


def _too_large_unzipped(size: int | None, limit: int) -> UnreadableFile:
    cap = f"{limit / 1_000_000:.0f} MB"
    what = (
        f"would expand to {size / 1_000_000:.1f} MB when opened, over the {cap} limit"
        if size
        else f"expands to more than the {cap} limit when opened"
    )
    return UnreadableFile(
        f"The workbook {what}. Split the file into smaller workbooks, or save it as "
        "'CSV UTF-8', and upload again."
    )


_READ_CHUNK = 1 << 20


class _CappedMember:
    """A member of the archive, read at most a chunk at a time, every byte counted against the
    workbook's budget. Zipfile stops a member at its declared size, but `read()` of a whole
    member inflates the entire deflate stream first: a member whose header understates its
    size would be inflated in full. Chunked reads never inflate more than a chunk past it."""

    def __init__(self, member: IO[bytes], archive: _CappedZipFile) -> None:
        self._member = member
        self._archive = archive

    def read(self, size: int | None = -1) -> bytes:
        parts: list[bytes] = []
        got = 0
        while size is None or size < 0 or got < size:
            want = _READ_CHUNK if size is None or size < 0 else min(_READ_CHUNK, size - got)
            chunk = self._member.read(want)
            if not chunk:
                break
            self._archive.spend(len(chunk))
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._member.close()

    def __enter__(self) -> _CappedMember:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._member, name)


class _CappedZipFile(zipfile.ZipFile):
    """The archive openpyxl reads: what it actually inflates, over every member and every
    time it opens one, is capped at `budget` bytes."""

    def __init__(self, file: IO[bytes], *, budget: int, limit: int) -> None:
        super().__init__(file)
        self._budget = budget
        self._limit = limit

    def spend(self, size: int) -> None:
        self._budget -= size
        if self._budget < 0:
            raise _too_large_unzipped(None, self._limit)

    def open(self, name: Any, mode: Any = "r", pwd: Any = None, **kwargs: Any) -> Any:
        member = super().open(name, mode, pwd, **kwargs)
        return _CappedMember(member, self) if mode == "r" else member


def _load_workbook(data: bytes, max_unzipped: int) -> Any:
    """openpyxl's `load_workbook(read_only=True, data_only=True)` over a _CappedZipFile. The
    declared sizes were checked already; the budget allows twice them, as openpyxl opens each
    sheet twice (once for its used range, once for its rows)."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.archive.close()
    reader.archive = _CappedZipFile(io.BytesIO(data), budget=2 * max_unzipped, limit=max_unzipped)
    reader.valid_files = reader.archive.namelist()
    reader.read()
    return reader.wb


NOT_EXCEL = (
    "The file is not a readable Excel workbook (.xlsx). Save it as .xlsx or as "
    "'CSV UTF-8' and upload it again."
)


def open_workbook(data: bytes, max_unzipped: int) -> Any:
    """An .xlsx opened read-only by openpyxl, or UnreadableFile. The zip's declared sizes are
    checked before openpyxl sees it, and what openpyxl inflates is counted too. Every importer
    of spreadsheets opens them here (the returns' and the register migration's)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise UnreadableFile(NOT_EXCEL) from None
    if inflated > max_unzipped:
        raise _too_large_unzipped(inflated, max_unzipped)
    try:
        return _load_workbook(data, max_unzipped)
    except UnreadableFile:
        raise
    except Exception:  # hostile input: zip/XML/schema errors of every kind
        raise UnreadableFile(NOT_EXCEL) from None


def parse_xlsx(
    data: bytes,
    *,
    today: date,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unzipped: int = DEFAULT_MAX_UNZIPPED_BYTES,
    progress: Progress | None = None,
) -> ParsedFile:
    """First worksheet of an .xlsx (read-only, cached values not formulas)."""
    workbook = open_workbook(data, max_unzipped)
    try:
        if not workbook.worksheets:
            raise UnreadableFile("The workbook has no worksheet.")
        sheet = workbook.worksheets[0]
        try:
            sheet.reset_dimensions()  # never trust the stored used-range: read every row
            rows = sheet.iter_rows(values_only=True)
        except Exception:  # hostile input
            raise UnreadableFile(NOT_EXCEL) from None
        return validate_table(
            _xlsx_rows(rows), today=today, source="XLSX", max_rows=max_rows, progress=progress
        )
    finally:
        workbook.close()
