"""Bytes of a register file (CSV or XLSX) -> a `Sheet` of text cells, with its header found.

The file guards are the return importer's (`referrals.importing.tabular`): the encoding ladder,
the delimiter sniffing, the zip-bomb caps and the row limits live there once; here their
`UnreadableFile` becomes this contract's `UnreadableRegister`, message unchanged.

A council register often has a title row or two ("CME register - exported 3/9/24") above the
header, so the header is the first row, among the first HEADER_SEARCH non-blank ones, with at
least two non-blank cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from cmetrack.referrals.importing.rows import UnreadableFile

# Private helpers of the return importer, used rather than copied: one home for the guards.
from cmetrack.referrals.importing.tabular import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNZIPPED_BYTES,
    NOT_EXCEL,
    _csv_rows,
    _xlsx_rows,
    decode_csv,
    open_workbook,
    too_many_rows,
)
from cmetrack.referrals.importing.values import cell_text

from ..rows import Sheet, UnreadableRegister

HEADER_SEARCH = 10  # rows looked at for the header
HEADER_MIN_CELLS = 2


def read_sheet(
    data: bytes,
    filename: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
) -> Sheet:
    """The register's header and non-blank rows as text. An .xlsx (or any zip: a renamed
    workbook) is read as a workbook, anything else as CSV. UnreadableRegister, with the reason
    for the officer, when the file as a whole cannot be read."""
    try:
        if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
            return _table(_workbook_rows(data, max_unzipped_bytes, max_rows), "xlsx", max_rows)
        return _table(_text_rows(data), "csv", max_rows)
    except UnreadableFile as error:
        raise UnreadableRegister(str(error)) from None


def _text_rows(data: bytes) -> Iterator[list[str]]:
    text = decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    yield from _csv_rows(reader, lambda: reader.line_num)


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever one line among the first few has most of. The return
    importer judges by the first line, which here may be a title ("CME register, 2024") above
    a semicolon-separated header."""
    best, chosen = 0, ","
    for line in text.lstrip("\r\n\ufeff").splitlines()[: HEADER_SEARCH + 2]:
        for candidate in (",", ";", "\t"):
            if (count := line.count(candidate)) > best:
                best, chosen = count, candidate
    return chosen


def _workbook_rows(data: bytes, max_unzipped: int, max_rows: int) -> Iterator[list[str]]:
    workbook = open_workbook(data, max_unzipped)
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise UnreadableFile("The workbook has no worksheet.")
        # The first sheet with data: registers often open on a blank or "Notes" cover sheet.
        for sheet in sheets:
            try:
                sheet.reset_dimensions()  # never trust the stored used-range
                rows = _xlsx_rows(sheet.iter_rows(values_only=True))
                first = _first_filled(rows, max_rows)
            except UnreadableFile:
                raise
            except Exception:
                raise UnreadableFile(NOT_EXCEL) from None
            if first is None:
                continue
            blanks, cells = first
            for _ in range(blanks):
                yield []
            yield [cell_text(c) for c in cells]
            for cells in rows:
                yield [cell_text(c) for c in cells]
            return
    finally:
        workbook.close()


def _first_filled(
    rows: Iterator[tuple[object, ...]], max_rows: int
) -> tuple[int, tuple[object, ...]] | None:
    # (blank rows before it, the row), or None for an empty sheet. Bounded: a sheet can claim a
    # million empty rows in a few bytes.
    for blanks, cells in enumerate(rows):
        if any(cell_text(c).strip() for c in cells):
            return blanks, cells
        if blanks >= max_rows:
            raise UnreadableFile(
                f"The file has more than {max_rows:,} blank rows. Delete the empty rows "
                "(or split the file) and upload it again."
            )
    return None


def _filled(cells: Sequence[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _table(rows: Iterable[Sequence[str]], source: str, max_rows: int) -> Sheet:
    header: tuple[str, ...] | None = None
    looked = 0
    body: list[tuple[str, ...]] = []
    numbers: list[int] = []
    blank = 0
    for number, cells in enumerate(rows, start=1):
        filled = _filled(cells)
        if not filled:
            blank += 1
            if blank > max_rows:
                raise UnreadableFile(
                    f"The file has more than {max_rows:,} blank rows. Delete the empty rows "
                    "(or split the file) and upload it again."
                )
            continue
        if header is None:
            looked += 1
            if filled >= HEADER_MIN_CELLS:
                header = tuple(_trim_end(cells))
            elif looked >= HEADER_SEARCH:
                break
            continue  # a title row above the header
        if len(body) >= max_rows:
            raise too_many_rows(max_rows)
        body.append(tuple(cells))
        numbers.append(number)
    if header is None:
        if looked == 0:
            raise UnreadableRegister("The file is empty: it has no header row and no children.")
        raise UnreadableRegister(
            f"No header row was found: none of the first {HEADER_SEARCH} rows has two or more "
            "filled cells. The column headings must be on one row above the children."
        )
    if not body:
        raise UnreadableRegister("The file has a header row but no children under it.")
    width = len(header)
    return Sheet(
        header=header,
        rows=tuple(_fit(cells, width) for cells in body),
        row_numbers=tuple(numbers),
        source=source,
    )


def _trim_end(cells: Sequence[str]) -> list[str]:
    # Spreadsheets pad rows with empty cells to the used range; a header ends at its last name.
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def _fit(cells: tuple[str, ...], width: int) -> tuple[str, ...]:
    # Every row as wide as the header, so a mapping's index is always valid.
    if len(cells) == width:
        return cells
    if len(cells) > width:
        return cells[:width]
    return cells + ("",) * (width - len(cells))
