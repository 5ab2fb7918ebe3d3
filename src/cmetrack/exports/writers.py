"""The one writer of tabular exports: CSV and XLSX from an `ExportTable`.

Every text cell, headings and title lines included, goes through the project's one formula
neutraliser (`core.spreadsheet_text`), so a child named `=HYPERLINK(...)` or a school named
`+1` stays text in Excel, LibreOffice and Google Sheets. Dates are written as dates (ISO text
in CSV, date cells in XLSX), numbers as numbers.

Rows are read once, as they come (a queryset's `iterator()`): a list of thousands of cases is
never held as model instances. XLSX is written by openpyxl's write-only workbook, which keeps
rows compact rather than one object per cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from cmetrack.core.spreadsheet_text import neutralise_formula

from .table import Cell, ExportTable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_BOLD = Font(bold=True)


def _local(value: datetime) -> datetime:
    """Spreadsheets have no time zones: an aware time is written as London's wall clock."""
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def csv_value(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{_local(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return _csv_text(str(value))


def _csv_text(value: str) -> str:
    """The CSV keeps control characters (it is the faithful copy), but judges the text as a
    spreadsheet will once it drops them: "\\x01=SUM(A1)" is quoted like "=SUM(A1)"."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if neutralise_formula(cleaned) != cleaned else value


def _rows_of(table: ExportTable) -> Iterator[list[Cell]]:
    """The rows' visible values in column order, counting rows and noting each subject."""
    keys = [c.key for c in table.visible_columns]
    table.row_count = 0
    table.subject_ids = []
    for row in table.rows:
        table.row_count += 1
        if row.subject_id is not None:
            table.subject_ids.append(row.subject_id)
        yield [row.values.get(key) for key in keys]


def csv_bytes(table: ExportTable) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads names with accents as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in table.title_lines:
        writer.writerow([_csv_text(line)])
    writer.writerow([_csv_text(c.heading) for c in table.visible_columns])
    for values in _rows_of(table):
        writer.writerow([csv_value(v) for v in values])
    return out.getvalue().encode("utf-8-sig")


def _text(value: str) -> str:
    # openpyxl refuses control characters a cell cannot hold; hostile input must not stop
    # the export, so they are dropped (the CSV keeps them). Dropped first, then neutralised:
    # the other way round "\x01=SUM(A1)" would lose its \x01 after the check and reach the
    # sheet as a formula (openpyxl stores any text starting "=" as one).
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float):
        return value
    return _text(str(value))


def _bold(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_text(text))
    cell.font = _BOLD
    return cell


def _unique_title(table: ExportTable, used: set[str]) -> str:
    title, n = table.sheet_title, 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = table.sheet_title[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.casefold())
    return title


def _write_sheet(book: Workbook, table: ExportTable, used: set[str]) -> None:
    sheet = book.create_sheet(_unique_title(table, used))
    assert isinstance(sheet, WriteOnlyWorksheet)
    for index, column in enumerate(table.visible_columns):
        letter = _column_letter(index)
        width = 48 if index == 0 and table.title_lines else len(column.heading) + 4
        sheet.column_dimensions[letter].width = min(max(width, 12), 60)
    for line in table.title_lines:
        sheet.append([_bold(sheet, line)])
    sheet.append([_bold(sheet, c.heading) for c in table.visible_columns])
    for values in _rows_of(table):
        sheet.append([_xlsx_cell(sheet, v) for v in values])


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def xlsx_bytes(tables: Sequence[ExportTable]) -> bytes:
    """One worksheet per table, in order; at least one table."""
    if not tables:
        raise ValueError("An XLSX export needs at least one table.")
    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        _write_sheet(book, table, used)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_bytes(table: ExportTable, fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(table)
    if fmt == "xlsx":
        return xlsx_bytes([table])
    raise ValueError(f"Unknown export format: {fmt!r}")
