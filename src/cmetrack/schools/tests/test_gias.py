"""The GIAS extract reader on its own: no database."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.schools.gias import (
    MB,
    ROW_FIELD,
    GiasFileError,
    RowError,
    is_open_status,
    parse_establishment_number,
    parse_gias,
    parse_gias_date,
    parse_la_code,
    parse_urn,
)

DATA = Path(__file__).parent / "data"
HEADER = "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,EstablishmentStatus (name)"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def test_reads_every_school_with_its_fields_typed_and_trimmed() -> None:
    result = parse_gias(DATA / "gias_sefton_liverpool.csv")

    assert result.errors == []
    assert result.rows_read == 7
    by_urn = {school.urn: school for school in result.schools}
    assert set(by_urn) == {"900101", "900102", "900103", "900104", "010043", "900201", "900202"}
    crosby = by_urn["900102"]
    assert crosby.row == 3  # header is row 1
    assert (crosby.la_code, crosby.la_name, crosby.establishment_number) == (
        "343",
        "Sefton",
        "4001",
    )
    assert crosby.name == "Crosby Dunes High School"
    assert (crosby.phase, crosby.type_name) == ("Secondary", "Academy converter")
    assert crosby.open_date == date(2012, 9, 1)
    assert crosby.close_date is None
    assert by_urn["900103"].close_date == date(2019, 8, 31)


def test_keeps_leading_zeros_in_urn_and_establishment_number() -> None:
    school = next(s for s in parse_gias(DATA / "gias_sefton_liverpool.csv").schools if s.row == 6)

    assert school.urn == "010043"
    assert school.establishment_number == "0123"


def test_blank_establishment_number_is_allowed() -> None:
    schools = parse_gias(DATA / "gias_sefton_liverpool.csv").schools

    assert next(s for s in schools if s.urn == "900202").establishment_number == ""


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        ("Open", True),
        ("Open, but proposed to close", True),
        ("Closed", False),
        ("Proposed to open", False),
        ("", False),
    ],
)
def test_school_is_open_only_when_its_gias_status_starts_with_open(
    status: str, is_open: bool
) -> None:
    assert is_open_status(status) is is_open


def test_is_open_is_taken_from_the_status_column_of_each_row() -> None:
    schools = {s.urn: s for s in parse_gias(DATA / "gias_sefton_liverpool.csv").schools}

    assert schools["900101"].is_open
    assert schools["900104"].is_open  # "Open, but proposed to close"
    assert not schools["900103"].is_open  # "Closed"
    assert not schools["010043"].is_open  # "Proposed to open"


def test_postcode_is_normalised_and_kept_as_given_when_it_does_not_fit_the_pattern() -> None:
    schools = {s.urn: s for s in parse_gias(DATA / "gias_sefton_liverpool.csv").schools}

    assert schools["900102"].postcode == "L23 0AA"  # was "l23  0aa"
    assert schools["900104"].postcode == "NOT KNOWN"
    assert schools["900202"].postcode == ""


def test_decodes_windows_1252_as_published_by_gias() -> None:
    raw = (DATA / "gias_windows1252.csv").read_bytes()
    assert b"Th\xe9r\xe8se\x92s" in raw  # the fixture really is cp1252, not UTF-8

    names = [school.name for school in parse_gias(raw).schools]

    assert names == ["St Thérèse\u2019s Catholic Primary School", "Notre Dame Collège"]


def test_decodes_utf8_with_a_byte_order_mark_as_saved_by_excel() -> None:
    row = "900105,343,Sefton,3301,St Thérèse\u2019s School,Open"
    data = b"\xef\xbb\xbf" + csv_bytes(HEADER, row)

    result = parse_gias(data)

    assert result.errors == []
    assert result.schools[0].urn == "900105"  # the BOM did not stick to the "URN" header
    assert result.schools[0].name == "St Thérèse\u2019s School"


def test_maps_columns_by_name_in_any_order_and_ignores_unknown_columns() -> None:
    result = parse_gias(DATA / "gias_reordered_extra_column.csv")

    assert result.errors == []
    first = result.schools[0]
    assert (first.urn, first.la_code, first.establishment_number) == ("900101", "343", "2001")
    assert first.name == "Bootle Marsh Primary School"
    assert first.postcode == "L20 7AE"
    assert first.phase == "Primary"
    assert first.open_date is None  # OpenDate is not in this file


def test_reports_which_optional_fields_the_file_supplied() -> None:
    result = parse_gias(csv_bytes("URN,LA (code),EstablishmentName", "900101,343,Bootle School"))

    assert result.fields_present == {"urn", "la_code", "name"}
    assert "is_open" in parse_gias(DATA / "gias_sefton_liverpool.csv").fields_present


def test_refuses_a_file_without_the_urn_column() -> None:
    with pytest.raises(GiasFileError, match=r"required column missing: 'URN'"):
        parse_gias(DATA / "gias_missing_urn_column.csv")


@pytest.mark.parametrize("column", ["URN", "EstablishmentName", "LA (code)"])
def test_refuses_a_file_missing_any_required_column(column: str) -> None:
    header = HEADER.split(",")
    header.remove(column)

    with pytest.raises(GiasFileError, match=re.escape(f"required column missing: '{column}'")):
        parse_gias(csv_bytes(",".join(header)))


def test_refuses_a_header_naming_a_column_we_use_twice() -> None:
    with pytest.raises(GiasFileError, match="appears more than once"):
        parse_gias(csv_bytes("URN,LA (code),EstablishmentName,URN", "900101,343,A,900102"))


def test_reports_duplicate_urn_on_every_row_that_uses_it_and_imports_neither() -> None:
    result = parse_gias(DATA / "gias_row_errors.csv")

    duplicate_errors = [e for e in result.errors if "more than once" in e.message]
    assert [(e.row, e.field) for e in duplicate_errors] == [(3, "URN"), (5, "URN")]
    assert "rows 3, 5" in duplicate_errors[0].message
    assert "900102" not in {school.urn for school in result.schools}


def test_reports_urn_that_is_not_six_digits_and_la_code_that_is_not_three() -> None:
    result = parse_gias(DATA / "gias_row_errors.csv")

    assert RowError(4, "URN", "must be 6 digits, found '12345'") in result.errors
    assert RowError(6, "LA (code)", "must be 3 digits, found '34'") in result.errors
    assert {school.urn for school in result.schools} == {"900101", "900201"}
    assert result.error_rows == 4


def test_collects_every_error_in_a_row_not_just_the_first() -> None:
    data = csv_bytes(
        "URN,LA (code),EstablishmentNumber,EstablishmentName,OpenDate,CloseDate",
        "9001,3433,20,,31-02-2020,2020-09-01",
    )

    errors = parse_gias(data).errors

    assert {e.field for e in errors} == {
        "URN",
        "LA (code)",
        "EstablishmentNumber",
        "EstablishmentName",
        "OpenDate",
        "CloseDate",
    }
    assert {e.row for e in errors} == {2}
    assert str(next(e for e in errors if e.field == "OpenDate")) == (
        "row 2, OpenDate: is not a real date: '31-02-2020'"
    )


def test_row_with_too_few_cells_is_a_row_error_not_a_shifted_read() -> None:
    data = csv_bytes(HEADER, "900101,343,Sefton,2001,Bootle, Marsh School,Open", "900102,343")

    result = parse_gias(data)

    # The unquoted comma gives row 2 one cell too many; row 3 is cut short.
    assert [(e.row, e.field) for e in result.errors] == [(2, ROW_FIELD), (3, ROW_FIELD)]
    assert result.schools == []


def test_trailing_empty_cells_are_tolerated() -> None:
    result = parse_gias(csv_bytes(HEADER, "900101,343,Sefton,2001,Bootle School,Open,,"))

    assert result.errors == []
    assert result.schools[0].status_name == "Open"


def test_blank_lines_and_rows_of_empty_cells_are_skipped_without_shifting_row_numbers() -> None:
    data = csv_bytes(HEADER, "", ",,,,,", " , ,", "9001,343,Sefton,2001,Bootle School,Open")

    result = parse_gias(data)

    assert result.rows_read == 1
    assert [e.row for e in result.errors] == [5]  # the 4-digit URN, on spreadsheet row 5


def test_a_urn_repeated_many_times_gets_a_short_message() -> None:
    rows = [f"900101,343,Sefton,2001,School {n},Open" for n in range(20)]

    errors = parse_gias(csv_bytes(HEADER, *rows)).errors

    assert len(errors) == 20
    assert errors[0].message == (
        "900101 appears more than once in the file (rows 2, 3, 4, 5, 6 and 15 more)"
    )


def test_a_header_with_no_rows_reads_as_no_schools() -> None:
    result = parse_gias(csv_bytes(HEADER))

    assert (result.schools, result.errors, result.rows_read) == ([], [], 0)


def test_refuses_an_empty_file() -> None:
    with pytest.raises(GiasFileError, match="empty"):
        parse_gias(b"")


def test_refuses_bytes_that_are_neither_utf8_nor_windows_1252() -> None:
    # 0x81 is invalid UTF-8 here and undefined in Windows-1252.
    with pytest.raises(GiasFileError, match=r"neither UTF-8 nor Windows-1252 \(byte 0x81"):
        parse_gias(csv_bytes(HEADER) + b"\x81")


def test_refuses_a_file_with_nul_bytes_such_as_utf16_text() -> None:
    with pytest.raises(GiasFileError, match="NUL bytes"):
        parse_gias(csv_bytes(HEADER, "900101,343,Sefton,2001,Bootle,Open", encoding="utf-16"))


def test_refuses_a_cell_too_long_for_any_csv_as_not_a_readable_csv() -> None:
    # Typically an unbalanced quote swallowing the rest of the file into one cell.
    runaway = '"' + "x" * 200_000
    with pytest.raises(GiasFileError, match=r"not a readable CSV file \(line \d+\): field larger"):
        parse_gias(csv_bytes(HEADER, f"900101,343,Sefton,2001,{runaway},Open"))


def test_refuses_a_file_over_the_size_limit_without_parsing_it(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(HEADER) + b"x" * MB)

    with pytest.raises(GiasFileError, match="larger than the 1 MB limit"):
        parse_gias(path, max_bytes=MB)


def test_the_size_limit_applies_to_open_files_too() -> None:
    with pytest.raises(GiasFileError, match="limit"):
        parse_gias(io.BytesIO(csv_bytes(HEADER) + b"x" * 100), max_bytes=50)


def test_reads_from_an_open_binary_file() -> None:
    with (DATA / "gias_sefton_liverpool.csv").open("rb") as handle:
        assert len(parse_gias(handle).schools) == 7


def test_refuses_a_missing_file_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(GiasFileError, match=r"no such file: .*nowhere\.csv"):
        parse_gias(tmp_path / "nowhere.csv")


# Property tests for the cell parsers.

digits = st.text(alphabet="0123456789", min_size=1, max_size=10)


@given(st.text(alphabet="0123456789", min_size=6, max_size=6))
def test_any_six_digit_urn_round_trips_with_its_leading_zeros(urn: str) -> None:
    assert parse_urn(urn) == urn
    assert parse_urn(f" {urn}\t") == urn


@given(digits.filter(lambda s: len(s) != 6))
def test_urns_of_any_other_length_are_refused(urn: str) -> None:
    with pytest.raises(ValueError, match="must be 6 digits"):
        parse_urn(urn)


@given(st.text(min_size=1).filter(lambda s: not s.strip().isascii() or not s.strip().isdigit()))
def test_urns_that_are_not_ascii_digits_are_refused(text: str) -> None:
    # Includes Unicode digits such as Arabic-Indic ones, which str.isdigit() would accept.
    with pytest.raises(ValueError, match=r"is blank|must be 6 digits"):
        parse_urn(text)


@given(st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_any_three_digit_la_code_round_trips(code: str) -> None:
    assert parse_la_code(code) == code


@given(digits.filter(lambda s: len(s) != 3))
def test_la_codes_of_any_other_length_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match="must be 3 digits"):
        parse_la_code(code)


@given(st.text(alphabet="0123456789", min_size=4, max_size=4))
def test_any_four_digit_establishment_number_round_trips(number: str) -> None:
    assert parse_establishment_number(number) == number


@given(st.dates(min_value=date(1800, 1, 1), max_value=date(9999, 12, 31)))
def test_any_date_written_as_gias_writes_it_parses_back(value: date) -> None:
    assert parse_gias_date(value.strftime("%d-%m-%Y")) == value


@given(st.dates(min_value=date(1800, 1, 1)))
def test_dates_in_iso_or_slashed_form_are_refused(value: date) -> None:
    for text in (value.isoformat(), value.strftime("%d/%m/%Y")):
        with pytest.raises(ValueError, match="dd-mm-yyyy"):
            parse_gias_date(text)


@given(
    st.lists(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")).filter(
            str.strip
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_school_name_survives_the_csv_quoting(names: list[str]) -> None:
    # Commas, quotes and line breaks inside a quoted cell must not shift or split rows.
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["URN", "LA (code)", "EstablishmentName"])
    for number, name in enumerate(names):
        writer.writerow([f"{number:06d}", "343", name])

    result = parse_gias(buffer.getvalue().encode("utf-8"))

    assert result.errors == []
    assert [school.name for school in result.schools] == [name.strip() for name in names]
