"""MIS "student list" exports (CSV and XLSX): SIMS/Arbor/Bromcom/ScholarPack-style headings,
title rows above the header, an MIS's words for sex, year and enrolment, DfE numbers."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from cmetrack.rolls.reading import ParsedRoll, RollFormat, UnreadableFile, parse_roll
from cmetrack.testing.roll_files import mis_csv, mis_xlsx, roll_pupil

UPN_2 = "K343200024002"


def csv_roll(header: str, *lines: str) -> ParsedRoll:
    return parse_roll("\n".join((header, *lines)).encode("utf-8"), filename="students.csv")


def test_mis_csv_reads_legal_and_preferred_names_words_and_dfe_number_with_a_slash() -> None:
    pupils = [
        roll_pupil(preferred_forename="Millie", middle_names="Rose", enrolment_status="M"),
        roll_pupil(upn=UPN_2, forename="Noah", sex="M", year_group="R", enrolment_status="S"),
    ]

    roll = parse_roll(mis_csv(pupils, title_rows=("Student List", "Printed 03/09/2026")))

    assert roll.format is RollFormat.MIS
    assert (roll.school_urn, roll.school_laestab) == ("104512", "3432000")
    assert roll.warnings == roll.errors == ()
    assert list(roll.pupils) == [
        roll_pupil(
            position=4, preferred_forename="Millie", middle_names="Rose", enrolment_status="M"
        ),
        roll_pupil(
            position=5, upn=UPN_2, forename="Noah", sex="M", year_group="R", enrolment_status="S"
        ),
    ]


def test_mis_xlsx_with_date_cells_numeric_urns_and_a_cover_sheet_is_read() -> None:
    roll = parse_roll(mis_xlsx([roll_pupil(leaving_date=date(2026, 7, 22))], cover_sheet=True))

    assert roll.format is RollFormat.MIS
    assert roll.pupils == (roll_pupil(leaving_date=date(2026, 7, 22)),)


def test_dfe_number_is_read_as_123_slash_4567_and_as_seven_digits() -> None:
    roll = csv_roll(
        "Surname,Forename,DfE Number",
        "Example,Amelia,343/2000",
        "Sample,Noah,3432001",
        "Other,Theo,343-2002",
    )

    assert [p.school_laestab for p in roll.pupils] == ["3432000", "3432001", "3432002"]


@pytest.mark.parametrize(
    ("cell", "urn", "laestab"),
    [("104512", "104512", ""), ("343/2000", "", "3432000"), ("3432000", "", "3432000")],
)
def test_a_school_column_may_hold_a_urn_or_a_dfe_number(cell: str, urn: str, laestab: str) -> None:
    (pupil,) = csv_roll("Surname,Forename,School", f"Example,Amelia,{cell}").pupils

    assert (pupil.school_urn, pupil.school_laestab) == (urn, laestab)


def test_a_school_column_holding_the_schools_name_names_the_file_and_warns_nothing() -> None:
    roll = csv_roll(
        "Surname,Forename,School", "Example,Amelia,Example Primary", "Sample,Noah,Example Primary"
    )

    assert roll.school_name == "Example Primary"
    assert roll.schools == frozenset() and roll.warnings == ()


def test_mis_heading_variants_are_read() -> None:
    roll = csv_roll(
        "Surname,Forename,Known As,Sex,NC Year,Date Of Birth,Start Date,Post Code,Reg Group",
        "Example,Amelia,Millie,Female,Year 6,12/04/2015,04/09/2019,l20 7ae,6A",
    )

    (pupil,) = roll.pupils
    assert (pupil.preferred_forename, pupil.sex, pupil.year_group) == ("Millie", "F", "6")
    assert (pupil.date_of_birth, pupil.entry_date) == (date(2015, 4, 12), date(2019, 9, 4))
    assert pupil.postcode == "L20 7AE"


@pytest.mark.parametrize("heading", ["Year", "Year Group", "NC Year", "Curriculum Year"])
def test_each_year_group_heading_is_read(heading: str) -> None:
    (pupil,) = csv_roll(f"Legal Surname,Legal Forename,{heading}", "Example,Amelia,Yr 10").pupils

    assert pupil.year_group == "10"


def test_address_columns_are_joined_into_one_line_in_file_order() -> None:
    roll = csv_roll(
        "Legal Surname,Legal Forename,Address Line 1,Address Line 2,Town,Post Code",
        "Example,Amelia,14 Acacia Avenue,,Bootle,L20 7AE",
    )

    assert roll.pupils[0].address == "14 Acacia Avenue, Bootle"


def test_tab_separated_export_is_read() -> None:
    data = mis_csv([roll_pupil()], delimiter="\t", title_rows=("Student List",))

    assert parse_roll(data).pupils[0].surname == "Example"


def test_mis_bad_fields_are_blanked_with_warnings() -> None:
    roll = csv_roll(
        "Legal Surname,Legal Forename,Gender,Year,Enrolment Status,Admission Date,URN",
        "Example,Amelia,Unsure,Year Twelve,Dual,1st Sept 2019,10451",
    )

    (pupil,) = roll.pupils
    assert [w.field for w in roll.warnings] == [
        "sex",
        "year_group",
        "entry_date",
        "enrolment_status",
        "school_urn",
    ]
    assert (pupil.sex, pupil.year_group, pupil.enrolment_status, pupil.entry_date) == (
        "",
        "",
        "",
        None,
    )


def test_a_row_naming_no_school_in_an_export_with_school_columns_is_warned_about() -> None:
    roll = parse_roll(
        mis_csv([roll_pupil(), roll_pupil(upn=UPN_2, school_urn="", school_laestab="")])
    )

    assert [(w.row, w.field) for w in roll.warnings] == [(3, "school_urn")]
    assert (roll.school_urn, roll.school_laestab) == ("", "")


def test_an_export_with_no_name_column_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="No header row"):
        csv_roll("UPN,Date of Birth,Year", "W343200024001,12/04/2015,6")


def test_workbook_cells_of_every_type_are_read_or_warned_about_never_fatal() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Legal Surname", "Legal Forename", "Date of Birth", "Year", "URN", "Gender"])
    sheet.append(["Example", True, datetime(2015, 4, 12, 0, 0), 7.0, 104512.0, "F"])
    sheet.append(["Sample", 12, datetime(2015, 4, 12, 10, 30), 1e300, 3.5, time(9, 0)])
    out = io.BytesIO()
    workbook.save(out)

    roll = parse_roll(out.getvalue())

    first, second = roll.pupils
    assert (first.date_of_birth, first.year_group, first.school_urn) == (
        date(2015, 4, 12),
        "7",
        "104512",
    )
    assert second.date_of_birth == date(2015, 4, 12)  # a date with a time is still the day
    assert [w.field for w in roll.warnings if w.row == 3] == ["sex", "year_group", "school_urn"]
