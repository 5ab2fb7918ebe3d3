"""The one writer of exports: formula-safe text, real dates, personal columns dropped on asking."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cmetrack.core.spreadsheet_text import FORMULA_PREFIXES
from cmetrack.exports.responses import file_name, file_response
from cmetrack.exports.table import Cell, Column, ExportTable, Row
from cmetrack.exports.writers import csv_bytes, export_bytes, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://x","click")',
    "+1",
    "-2",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\x01=1+1",  # a control character a spreadsheet drops, then a formula
    "=cmd|' /C calc'!A0",
]
COLUMNS = (
    Column("name", "Child", personal=True),
    Column("dob", "Date of birth", personal=True),
    Column("reference", "Reference"),
    Column("referred", "Referred"),
    Column("at", "Updated"),
    Column("count", "Tasks"),
    Column("flag", "Escalated"),
)


def table(
    rows: list[dict[str, Cell]] | None = None,
    *,
    include_personal: bool = True,
    columns: tuple[Column, ...] = COLUMNS,
    subjects: list[int | None] | None = None,
) -> ExportTable:
    rows = rows if rows is not None else []
    ids = subjects if subjects is not None else [None] * len(rows)
    return ExportTable(
        name="Case list",
        slug="case-list",
        columns=columns,
        rows=(Row(values, subject_id=pk) for values, pk in zip(rows, ids, strict=True)),
        include_personal=include_personal,
    )


def sample_row(name: str = "Ada Lovelace") -> dict[str, Cell]:
    return {
        "name": name,
        "dob": date(2015, 3, 27),
        "reference": "CME-0001",
        "referred": date(2026, 11, 2),
        "at": datetime(2026, 7, 1, 11, 30, tzinfo=UTC),  # 12:30 in London (summer time)
        "count": 3,
        "flag": True,
    }


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_csv_starts_with_a_byte_order_mark_so_excel_reads_accents() -> None:
    content = csv_bytes(table([sample_row("Zoë Ó Súilleabháin")]))
    assert content.startswith(b"\xef\xbb\xbf")
    assert csv_rows(content)[1][0] == "Zoë Ó Súilleabháin"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_text_cell_of_a_csv_is_neutralised(hostile: str) -> None:
    columns = (Column("name", hostile, personal=True), Column("reference", "Reference"))
    export = table([{"name": hostile, "reference": hostile}], columns=columns)
    export.title_lines = (hostile,)
    title, header, row = csv_rows(csv_bytes(export))
    assert title == [f"'{hostile}"]
    assert header == [f"'{hostile}", "Reference"]
    assert row == [f"'{hostile}", f"'{hostile}"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_every_text_cell_of_an_xlsx_is_text_not_a_formula(hostile: str) -> None:
    columns = (Column("name", hostile, personal=True), Column("reference", "Reference"))
    export = table([{"name": hostile, "reference": hostile}], columns=columns)
    export.title_lines = (hostile,)
    book = load_workbook(io.BytesIO(xlsx_bytes([export])))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            assert cell.data_type == "s", cell.value
            assert str(cell.value).startswith("'") or cell.value == "Reference"


def test_harmless_text_is_written_as_it_is() -> None:
    content = csv_bytes(table([sample_row("O'Brien-Smith")]))
    assert csv_rows(content)[1][0] == "O'Brien-Smith"


def test_xlsx_writes_dates_as_dates_and_numbers_as_numbers() -> None:
    rows = xlsx_rows(xlsx_bytes([table([sample_row()])]))
    assert rows[0] == (
        "Child",
        "Date of birth",
        "Reference",
        "Referred",
        "Updated",
        "Tasks",
        "Escalated",
    )
    name, dob, reference, referred, at, count, flag = rows[1]
    # openpyxl reads a date cell back as a datetime at midnight: a date, not text.
    assert dob == datetime(2015, 3, 27)
    assert referred == datetime(2026, 11, 2)
    assert at == datetime(2026, 7, 1, 12, 30)  # London's wall clock, no zone
    assert (name, reference, count, flag) == ("Ada Lovelace", "CME-0001", 3, "Yes")
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table([sample_row()])]))).worksheets[0]
    assert sheet["B2"].is_date and sheet["B2"].number_format == "dd/mm/yyyy"


def test_csv_writes_dates_in_iso_form_and_times_on_londons_clock() -> None:
    row = csv_rows(csv_bytes(table([sample_row()])))[1]
    assert row[1:] == ["2015-03-27", "CME-0001", "2026-11-02", "2026-07-01 12:30", "3", "Yes"]


def test_empty_cells_stay_empty() -> None:
    row: dict[str, Cell] = {"reference": "CME-0001"}
    assert csv_rows(csv_bytes(table([row])))[1] == ["", "", "CME-0001", "", "", "", ""]
    assert xlsx_rows(xlsx_bytes([table([row])]))[1] == (None, None, "CME-0001", *[None] * 4)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_personal_columns_are_left_out_when_not_wanted(fmt: str) -> None:
    content = export_bytes(table([sample_row()], include_personal=False), fmt)
    rows = csv_rows(content) if fmt == "csv" else xlsx_rows(content)
    assert list(rows[0]) == ["Reference", "Referred", "Updated", "Tasks", "Escalated"]
    assert "Ada Lovelace" not in list(rows[1])
    assert len(rows[1]) == len(COLUMNS) - 2


def test_a_table_knows_whether_it_holds_personal_columns() -> None:
    assert table().has_personal_columns
    assert not table(include_personal=False).has_personal_columns


def test_control_characters_do_not_stop_an_xlsx_and_are_dropped_from_it() -> None:
    name = "Ann\x00\x07\x1b[31m Lee\nSecond line"
    rows = xlsx_rows(xlsx_bytes([table([sample_row(name)])]))
    assert rows[1][0] == "Ann[31m Lee\nSecond line"


def test_control_characters_stay_in_the_csv_safely_quoted() -> None:
    name = 'Ann "the" Lee\r\nline two, with a comma'
    assert csv_rows(csv_bytes(table([sample_row(name)])))[1][0] == name


def test_the_writer_counts_rows_and_notes_each_subject() -> None:
    export = table([sample_row(), sample_row(), sample_row()], subjects=[7, None, 7])
    csv_bytes(export)
    assert export.row_count == 3
    assert export.subject_ids == [7, 7]


def test_rows_are_read_once_so_a_generator_is_enough() -> None:
    export = table([sample_row()] * 5)
    assert len(csv_rows(csv_bytes(export))) == 6
    assert export.row_count == 5


def test_several_tables_make_one_worksheet_each_with_safe_unique_names() -> None:
    first = table([sample_row()])
    first.sheet = "Open: by [school]?"
    second = table([sample_row()])
    second.sheet = "Open: by [school]?"
    third = table([])
    third.sheet = "x" * 40
    book = load_workbook(io.BytesIO(xlsx_bytes([first, second, third])))
    assert book.sheetnames == ["Open  by  school", "Open  by  school (2)", "x" * 31]


def test_an_xlsx_of_no_table_is_refused() -> None:
    with pytest.raises(ValueError):
        xlsx_bytes([])


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        export_bytes(table(), "xls")
    with pytest.raises(ValueError):
        file_response(b"", fmt="html", name="x.html")


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("case-list", "case-list-2026-12-02.csv"),
        ('Case "list"\r\nSet-Cookie: x=1', "case-list-set-cookie-x-1-2026-12-02.csv"),
        ("../../etc/passwd", "etc-passwd-2026-12-02.csv"),
        ("Zoë's cases", "zo-s-cases-2026-12-02.csv"),
        ("", "export-2026-12-02.csv"),
        ("---", "export-2026-12-02.csv"),
    ],
)
def test_file_names_hold_only_letters_digits_and_hyphens(stem: str, expected: str) -> None:
    assert file_name(stem, "csv", on=date(2026, 12, 2)) == expected


@pytest.mark.parametrize(
    "name", ['x".csv', "x.csv\r\nSet-Cookie: a=1", "../x.csv", "X.csv", "x.xlsx", "x.csv.exe"]
)
def test_the_response_refuses_a_file_name_that_could_forge_a_header(name: str) -> None:
    with pytest.raises(ValueError):
        file_response(b"", fmt="csv", name=name)


def test_a_long_stem_is_cut_short() -> None:
    name = file_name("a" * 500, "xlsx", on=date(2026, 12, 2))
    assert name == "a" * 80 + "-2026-12-02.xlsx"


def test_the_response_is_an_attachment_kept_in_no_cache() -> None:
    response = file_response(b"x", fmt="xlsx", name="case-list-2026-12-02.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="case-list-2026-12-02.xlsx"'
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert file_response(b"x", fmt="csv", name="a.csv")["Content-Type"].startswith("text/csv")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_round_trips_through_xlsx_as_text_that_runs_nothing(text: str) -> None:
    export = table([{"reference": text}], columns=(Column("reference", "Reference"),))
    sheet = load_workbook(io.BytesIO(xlsx_bytes([export]))).worksheets[0]
    cell = sheet["A2"]
    if cell.value is None:
        # Only text that was nothing but characters a cell cannot hold comes back empty.
        assert not text.strip("".join(chr(c) for c in [*range(9), 11, 12, *range(14, 32)]))
        return
    assert cell.data_type == "s"
    assert not str(cell.value).startswith(FORMULA_PREFIXES)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_in_a_csv_reads_back_as_written_or_quoted_against_formulas(text: str) -> None:
    export = table([{"reference": text}], columns=(Column("reference", "Reference"),))
    rows = csv_rows(csv_bytes(export))
    (value,) = rows[1] if len(rows) > 1 else [""]
    assert value in (text, "'" + text) or text == ""
    assert not value.startswith(FORMULA_PREFIXES)
