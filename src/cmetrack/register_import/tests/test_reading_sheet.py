"""read_sheet: bytes of a CSV or XLSX register -> header and text rows, or UnreadableRegister."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from cmetrack.register_import.reading import read_sheet
from cmetrack.register_import.rows import UnreadableRegister


def _xlsx(*sheets: list[list[object]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Sheet{number + 1}")
        for cells in rows:
            sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_csv_with_a_title_row_finds_the_header_below_it_and_keeps_spreadsheet_row_numbers() -> (
    None
):
    data = b"CME register at 3/9/24\n\nName,DOB\nSMITH John,01/02/2015\n\nJo Bloggs,2014-03-04\n"
    sheet = read_sheet(data, "register.csv")
    assert sheet.header == ("Name", "DOB")
    assert sheet.rows == (("SMITH John", "01/02/2015"), ("Jo Bloggs", "2014-03-04"))
    assert sheet.row_numbers == (4, 6)
    assert sheet.source == "csv"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs_is_read(delimiter: str) -> None:
    data = f"Name{delimiter}DOB\nJo Bloggs{delimiter}2014-03-04\n".encode()
    assert read_sheet(data, "r.csv").rows == (("Jo Bloggs", "2014-03-04"),)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_the_delimiter_is_judged_by_the_header_not_a_title_row_above_it(delimiter: str) -> None:
    data = (
        f"CME register, as at 3/9/24\nName{delimiter}DOB{delimiter}UPN\nJo{delimiter}1{delimiter}\n"
    )
    sheet = read_sheet(data.encode(), "r.csv")
    assert sheet.header == ("Name", "DOB", "UPN")
    assert sheet.rows == (("Jo", "1", ""),)


def test_a_windows_1252_csv_and_a_utf8_csv_with_a_mark_read_the_same() -> None:
    text = "Name,Notes\nZoë O\u2019Neil,café\n"  # a curly apostrophe, as Word types it
    assert read_sheet(text.encode("cp1252"), "r.csv") == read_sheet(
        text.encode("utf-8-sig"), "r.csv"
    )


def test_a_row_shorter_or_longer_than_the_header_is_made_as_wide_as_it() -> None:
    sheet = read_sheet(b"Name,DOB,UPN\nJo\nAl,1/1/2015,X,extra\n", "r.csv")
    assert sheet.rows == (("Jo", "", ""), ("Al", "1/1/2015", "X"))


def test_a_multi_line_cell_is_one_row_with_its_line_breaks() -> None:
    sheet = read_sheet(b'Name,Notes\nJo,"01/09/2024 visit\n02/09/2024 call"\nAl,\n', "r.csv")
    assert sheet.rows[0][1] == "01/09/2024 visit\n02/09/2024 call"
    assert sheet.row_numbers == (2, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n ,\n", "empty"),
        (b"Just a title\nand another\n", "No header row"),
        (b"Name,DOB\n", "no children"),
        ("Name,DOB\n".encode("utf-16"), "UTF-16"),
        (b"Name,DOB\nJo\x00,1\n", "NUL"),
        (b'Name,DOB\n"Jo,1\n', "cannot be read"),
    ],
)
def test_an_unreadable_csv_is_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableRegister, match=message):
        read_sheet(data, "r.csv")


def test_more_rows_than_the_limit_are_refused_with_how_to_split_the_file() -> None:
    data = b"Name,DOB\n" + b"Jo,1/1/2015\n" * 11
    assert len(read_sheet(data, "r.csv", max_rows=11).rows) == 11
    with pytest.raises(UnreadableRegister, match="more than 10 rows"):
        read_sheet(data, "r.csv", max_rows=10)


def test_more_blank_rows_than_the_limit_are_refused() -> None:
    with pytest.raises(UnreadableRegister, match="blank rows"):
        read_sheet(b"Name,DOB\n" + b",\n" * 20 + b"Jo,1\n", "r.csv", max_rows=10)


def test_an_xlsx_register_reads_date_and_number_cells_as_text_from_the_first_sheet_with_data() -> (
    None
):
    data = _xlsx(
        [],  # a blank cover sheet
        [
            ["Children missing education"],
            ["Ref", "Name", "DOB", "Referred"],
            [1042, "SMITH, John", datetime(2015, 2, 1), 45538],
            [None, None, None, None],
            ["A7", "Jo Bloggs", date(2014, 3, 4), "3 Sep 2024"],
        ],
    )
    sheet = read_sheet(data, "register.xlsx")
    assert sheet.source == "xlsx"
    assert sheet.header == ("Ref", "Name", "DOB", "Referred")
    assert sheet.rows == (
        ("1042", "SMITH, John", "2015-02-01", "45538"),
        ("A7", "Jo Bloggs", "2014-03-04", "3 Sep 2024"),
    )
    assert sheet.row_numbers == (3, 5)


def test_a_workbook_renamed_to_csv_is_still_read_as_a_workbook() -> None:
    data = _xlsx([["Name", "DOB"], ["Jo", "1/1/2015"]])
    assert read_sheet(data, "register.csv").source == "xlsx"


def test_a_workbook_with_only_empty_sheets_is_refused() -> None:
    with pytest.raises(UnreadableRegister, match="empty"):
        read_sheet(_xlsx([], []), "r.xlsx")


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04 truncated"])
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(data: bytes) -> None:
    with pytest.raises(UnreadableRegister, match="not a readable Excel workbook"):
        read_sheet(data, "r.xlsx")


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    assert len(out.getvalue()) < 20_000
    with pytest.raises(UnreadableRegister, match="expand"):
        read_sheet(out.getvalue(), "r.xlsx", max_unzipped_bytes=1_000_000)
