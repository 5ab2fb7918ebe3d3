"""Which format a roll is, the caller's override, and the files refused as a whole."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from cmetrack.rolls.reading import RollFormat, UnreadableFile, parse_roll
from cmetrack.testing.roll_files import census_csv, ctf_xml, mis_csv, mis_xlsx, roll_pupil

PUPILS = [roll_pupil(), roll_pupil(upn="K343200024002", forename="Noah")]
CENSUS = census_csv(PUPILS)
MIS = mis_csv(PUPILS)
XLSX = mis_xlsx(PUPILS)
CTF = ctf_xml(
    PUPILS, urn="104512", laestab="3432000", name="Example Primary", as_of=date(2026, 10, 1)
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CENSUS, RollFormat.CENSUS),
        (MIS, RollFormat.MIS),
        (XLSX, RollFormat.MIS),
        (CTF, RollFormat.CTF),
    ],
)
def test_the_format_is_sniffed_from_the_content_not_the_name(
    data: bytes, expected: RollFormat
) -> None:
    roll = parse_roll(data, filename="roll.txt")

    assert roll.format is expected
    assert [p.forename for p in roll.pupils] == ["Amelia", "Noah"]


def test_a_census_heading_without_census_name_columns_is_an_mis_export() -> None:
    data = b"Legal Surname,Legal Forename,NCyearActual\nExample,Amelia,6\n"

    assert parse_roll(data).format is RollFormat.MIS


def test_the_override_reads_a_census_file_as_mis() -> None:
    roll = parse_roll(CENSUS, format=RollFormat.MIS)

    assert roll.format is RollFormat.MIS
    assert [p.year_group for p in roll.pupils] == ["6", "6"]


def test_the_census_override_refuses_an_mis_export_whose_names_it_does_not_read() -> None:
    with pytest.raises(UnreadableFile, match="No header row"):
        parse_roll(MIS, format=RollFormat.CENSUS)


def test_the_census_override_on_a_file_with_only_mis_name_columns_names_what_it_reads() -> None:
    data = b"Surname,Legal Forename\nExample,Amelia\n"

    roll = parse_roll(data, format=RollFormat.CENSUS)

    assert roll.pupils[0].surname == "Example"
    assert roll.pupils[0].forename == ""  # "Legal Forename" is not a census heading


@pytest.mark.parametrize("data", [CENSUS, MIS, XLSX])
def test_the_ctf_override_refuses_what_is_not_xml(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="not XML"):
        parse_roll(data, format=RollFormat.CTF)


@pytest.mark.parametrize("override", [RollFormat.CENSUS, RollFormat.MIS])
def test_a_spreadsheet_override_refuses_xml(override: RollFormat) -> None:
    with pytest.raises(UnreadableFile, match="it is XML"):
        parse_roll(CTF, format=override)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "No header row"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Excel"),
        ("Surname,Forename\r\nExample,Amelia\r\n".encode("utf-16"), "UTF-16"),
        (b"URN,EstablishmentName,LA (code)\n104512,Example Primary,343\n", "No header row"),
        (b"PK\x03\x04 not really a zip", "not a readable Excel workbook"),
    ],
)
def test_files_that_are_not_rolls_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        parse_roll(data, filename="upload")


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(UnreadableFile):
        parse_roll(out.getvalue())


def test_a_workbook_that_would_inflate_past_the_cap_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="expand"):
        parse_roll(XLSX, max_unzipped_bytes=2_000)


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="over the"):
        parse_roll(CENSUS, filename="roll.csv", max_bytes=len(CENSUS) - 1)


@pytest.mark.parametrize("data", [CENSUS, MIS, XLSX, CTF])
def test_more_pupil_rows_than_the_limit_are_refused(data: bytes) -> None:
    assert len(parse_roll(data, max_rows=2).pupils) == 2
    with pytest.raises(UnreadableFile, match="more than 1 rows"):
        parse_roll(data, max_rows=1)


def test_error_rows_count_against_the_row_limit() -> None:
    data = b"Surname,Forename,NCyearActual\nExample,Amelia,6\n,,6\n,,6\n"

    with pytest.raises(UnreadableFile, match="more than 2 rows"):
        parse_roll(data, max_rows=2)


def test_too_many_blank_rows_are_refused() -> None:
    data = b"Surname,Forename\n" + b",\n" * 6 + b"Example,Amelia\n"

    with pytest.raises(UnreadableFile, match="blank rows"):
        parse_roll(data, max_rows=5)


def test_a_csv_that_breaks_csv_quoting_is_refused_with_its_line() -> None:
    data = b'Surname,Forename\n"Example"x,Amelia\n'

    with pytest.raises(UnreadableFile, match="line 2"):
        parse_roll(data)


def test_the_header_may_be_below_title_rows_but_not_below_ten_of_them() -> None:
    titles = [f"Title {n}" for n in range(10)]

    assert parse_roll(mis_csv(PUPILS, title_rows=titles[:9])).pupils[0].position == 11
    with pytest.raises(UnreadableFile, match="first 10 rows"):
        parse_roll(mis_csv(PUPILS, title_rows=titles))
