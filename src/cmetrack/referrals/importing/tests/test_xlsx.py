from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

import openpyxl
import pytest

from cmetrack.referrals.importing.parse import parse_return_file
from cmetrack.referrals.importing.rows import ParsedFile, ReturnType, UnreadableFile

from .helpers import UPN_1

TODAY = date(2026, 11, 2)
HEADER = ["Return type", "School URN", "UPN", "Surname", "Forename", "Date of birth", "Sex",
          "Parent phone", "Ground", "Deletion date", "Start date", "Notes"]  # fmt: skip


def workbook_bytes(*rows: Sequence[object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.create_sheet("Ignored").append(["not", "read"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse(data: bytes) -> ParsedFile:
    return parse_return_file(data, "returns.xlsx", today=TODAY)


def test_xlsx_first_sheet_is_read_with_date_cells_numeric_cells_and_text_dates() -> None:
    data = workbook_bytes(
        HEADER,
        ["deletion", 104512, UPN_1, "Example", "Amelia", datetime(2015, 4, 12), "F",
         "07700 900123", "(f)", "20/10/2026", None, "=HYPERLINK(\"x\")"],
        [None] * len(HEADER),  # a blank row is skipped but counted
        ["new_pupil", "104512", None, "Sample", "Noah", "2014-09-03", "male",
         None, None, None, datetime(2026, 10, 1), None],
    )  # fmt: skip

    parsed = parse(data)

    assert parsed.ok, parsed.errors
    assert parsed.source == "XLSX"
    assert [r.row for r in parsed.rows] == [2, 4]
    first, second = parsed.rows
    assert first.school_urn == "104512"  # a numeric cell
    assert first.date_of_birth == date(2015, 4, 12)  # a date cell
    assert first.deletion_date == date(2026, 10, 20)  # a date typed as text
    assert first.ground == "f"
    assert second.return_type is ReturnType.NEW_PUPIL
    assert second.start_date == date(2026, 10, 1)


def test_xlsx_row_errors_carry_the_spreadsheet_row_number() -> None:
    data = workbook_bytes(
        HEADER,
        [],
        ["deletion", 104512, UPN_1, "Example", "Amelia", "31/02/2015", "F", None, "f",
         "2026-10-20", None, None],
    )  # fmt: skip

    (error,) = parse(data).errors
    assert (error.row, error.field) == (3, "date_of_birth")
    assert "is not a real date" in error.message


def test_xlsx_missing_columns_are_named() -> None:
    with pytest.raises(UnreadableFile, match="date_of_birth"):
        parse(workbook_bytes(["return_type", "school_urn", "surname", "forename"]))


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")

    with pytest.raises(UnreadableFile, match=r"not a readable Excel workbook \(\.xlsx\)"):
        parse(out.getvalue())


def test_a_truncated_workbook_is_refused() -> None:
    data = workbook_bytes(HEADER)

    with pytest.raises(UnreadableFile, match="Excel workbook"):
        parse(data[: len(data) // 2])


def test_a_workbook_that_would_inflate_past_the_limit_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 1_000_001)
    assert len(out.getvalue()) < 5_000  # a 1000:1 zip bomb in miniature

    expected = r"would expand to 1\.0 MB when opened, over the 1 MB limit\. Split the file"
    with pytest.raises(UnreadableFile, match=expected):
        # a small limit keeps the test small
        parse_return_file(out.getvalue(), "x.xlsx", today=TODAY, max_unzipped_bytes=1_000_000)


def test_an_old_xls_file_is_refused_with_how_to_save_it() -> None:
    with pytest.raises(UnreadableFile, match=r"old-style Excel \.xls"):
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
