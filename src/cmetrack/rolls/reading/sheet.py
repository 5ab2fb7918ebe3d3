"""Bytes of a CSV or XLSX roll -> its header row and the rows under it. Pure.

The file guards are the return importer's (`referrals.importing.tabular`): the encoding ladder,
the capped workbook unzip, CSV errors and damaged-sheet errors as `UnreadableFile`. What differs
is where the header is: an MIS "student list" report often has a title or two above it
("Student List", "Printed 03/09/2026"), so the header is the first row, among the first
HEADER_SEARCH non-blank ones, that the caller recognises (it names a name column). Row numbers
are what a spreadsheet shows; blank rows are skipped but counted, and capped like data rows
(a sheet can claim a million empty rows in a few bytes).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterator, Sequence

from cmetrack.referrals.importing.rows import UnreadableFile

# Private helpers of the return importer, used rather than copied (as register_import does):
# one home for the CSV and workbook guards.
from cmetrack.referrals.importing.tabular import (
    NOT_EXCEL,
    _csv_rows,
    _xlsx_rows,
    decode_csv,
    open_workbook,
)
from cmetrack.referrals.importing.values import clean_text

HEADER_SEARCH = 10  # non-blank rows looked at for the header, per sheet

Cells = Sequence[object]
Row = tuple[int, Cells]  # (spreadsheet row number, cells)
IsHeader = Callable[[Cells], bool]


def blank(cells: Cells) -> bool:
    return not any(clean_text(c) for c in cells)


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever one line among the first few has most of. The return
    importer judges by the first line, which in an MIS report may be a title with none."""
    best, chosen = 0, ","
    for line in text.lstrip("\r\n").splitlines()[: HEADER_SEARCH + 2]:
        for candidate in (",", ";", "\t"):
            if (count := line.count(candidate)) > best:
                best, chosen = count, candidate
    return chosen


def _csv_cells(data: bytes) -> Iterator[Cells]:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    yield from _csv_rows(reader, lambda: reader.line_num)


class _BlankCap:
    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.count = 0

    def skip(self) -> None:
        self.count += 1
        if self.count > self.max_rows:
            raise UnreadableFile(
                f"The file has more than {self.max_rows:,} blank rows. Delete the empty rows "
                "(or split the file) and upload it again."
            )


def _from_header(rows: Iterator[Cells], is_header: IsHeader, cap: _BlankCap) -> Iterator[Row]:
    """The header (first item) and the non-blank rows under it; nothing if no header."""
    looked = 0
    numbered = enumerate(rows, start=1)
    for number, cells in numbered:
        if blank(cells):
            cap.skip()
            continue
        if is_header(cells):
            yield number, cells
            break
        looked += 1
        if looked >= HEADER_SEARCH:
            return
    else:
        return
    for number, cells in numbered:
        if blank(cells):
            cap.skip()
            continue
        yield number, cells


def _workbook_rows(
    data: bytes, is_header: IsHeader, cap: _BlankCap, max_unzipped: int
) -> Iterator[Row]:
    workbook = open_workbook(data, max_unzipped)
    try:
        # The first sheet with a header: a report may open on a cover or notes sheet.
        for sheet in workbook.worksheets:
            try:
                sheet.reset_dimensions()  # never trust the stored used-range
                rows = _xlsx_rows(sheet.iter_rows(values_only=True))
            except Exception:  # hostile input: anything openpyxl raises means unreadable
                raise UnreadableFile(NOT_EXCEL) from None
            found = False
            for row in _from_header(rows, is_header, cap):
                found = True
                yield row
            if found:
                return
    finally:
        workbook.close()


def read_rows(
    data: bytes, *, xlsx: bool, is_header: IsHeader, max_rows: int, max_unzipped: int
) -> Generator[Row, None, None]:
    """The header row (the first item; none at all if no header was found), then each
    non-blank row under it. UnreadableFile for what cannot be read as a whole."""
    cap = _BlankCap(max_rows)
    if xlsx:
        yield from _workbook_rows(data, is_header, cap, max_unzipped)
    else:
        yield from _from_header(_csv_cells(data), is_header, cap)
