"""Census-style roll files (CSV and XLSX): every field, header variants, bad fields kept."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from cmetrack.rolls.reading import ParsedRoll, RollFormat, parse_roll
from cmetrack.testing.roll_files import census_csv, roll_pupil

UPN_1 = "W343200024001"
UPN_2 = "K343200024002"
TEMPORARY = "V34320002401A"

HEADER = (
    "UPN,FormerUPN,Surname,Forename,MiddleNames,PreferredSurname,PreferredForename,DOB,Sex,"
    "NCyearActual,EnrolStatus,EntryDate,LeavingDate,Postcode"
)


def csv_roll(*lines: str, header: str = HEADER) -> ParsedRoll:
    return parse_roll("\r\n".join((header, *lines)).encode("utf-8"), filename="census.csv")


def fields_of(roll: ParsedRoll) -> list[tuple[int, str]]:
    return [(w.row, w.field) for w in roll.warnings]


def test_census_csv_reads_every_field_and_the_one_school_every_row_names() -> None:
    data = census_csv(
        [
            roll_pupil(
                former_upn=TEMPORARY,
                middle_names="Rose",
                preferred_surname="Sample",
                preferred_forename="Millie",
            ),
            roll_pupil(upn=UPN_2, forename="Noah", sex="M", year_group="R", postcode="PR8 1DA"),
        ]
    )

    roll = parse_roll(data)

    assert roll.format is RollFormat.CENSUS
    assert (roll.school_urn, roll.school_laestab, roll.as_of) == ("104512", "3432000", None)
    assert roll.errors == () and roll.warnings == ()
    first, second = roll.pupils
    assert first == roll_pupil(
        former_upn=TEMPORARY,
        middle_names="Rose",
        preferred_surname="Sample",
        preferred_forename="Millie",
        address="",
    )
    assert (second.position, second.forename, second.year_group) == (3, "Noah", "R")
    assert roll.schools == frozenset({("104512", "3432000")})


def test_census_dates_are_read_in_iso_and_in_dd_mm_yyyy() -> None:
    roll = csv_roll(
        f"{UPN_1},,Example,Amelia,,,,2015-04-12,F,6,C,2019-09-04,2026-07-22,L20 7AE",
        f"{UPN_2},,Sample,Noah,,,,03/09/2014,M,7,C,4/9/2019,,L20 7AE",
    )

    first, second = roll.pupils
    assert (first.date_of_birth, first.entry_date, first.leaving_date) == (
        date(2015, 4, 12),
        date(2019, 9, 4),
        date(2026, 7, 22),
    )
    assert (second.date_of_birth, second.entry_date, second.leaving_date) == (
        date(2014, 9, 3),
        date(2019, 9, 4),
        None,
    )


def test_census_header_variants_gender_postcode_spelling_and_former_surname() -> None:
    header = "upn,SURNAME,Forename,FormerSurname,Gender,DOB,NC Year Actual,Enrol Status,PostCode"
    roll = csv_roll(f"{UPN_1},Example,Amelia,Older,f,2015-04-12,06,c,l207ae", header=header)

    assert roll.format is RollFormat.CENSUS
    (pupil,) = roll.pupils
    assert (pupil.sex, pupil.year_group, pupil.enrolment_status) == ("F", "6", "C")
    assert (pupil.postcode, pupil.preferred_surname) == ("L20 7AE", "Older")


def test_preferred_surname_wins_over_former_surname_when_both_are_given() -> None:
    header = "Surname,Forename,PreferredSurname,FormerSurname,NCyearActual"
    roll = csv_roll("Example,Amelia,Known,Older,6", "Example,Noah,,Older,6", header=header)

    assert [p.preferred_surname for p in roll.pupils] == ["Known", "Older"]


def test_bad_fields_are_blanked_and_warned_about_and_the_pupil_is_kept() -> None:
    roll = csv_roll(
        "A343200024001,12345,Example,Amelia,,,,31/02/2015,Q,Year 15,Z,2019-13-01,someday,Q1 1AA"
    )

    (pupil,) = roll.pupils
    assert (pupil.surname, pupil.forename) == ("Example", "Amelia")
    assert pupil.upn == pupil.former_upn == pupil.sex == pupil.year_group == ""
    assert pupil.enrolment_status == pupil.postcode == ""
    assert pupil.date_of_birth is pupil.entry_date is pupil.leaving_date is None
    assert sorted(field for _, field in fields_of(roll)) == sorted(
        [
            "upn",
            "former_upn",
            "date_of_birth",
            "sex",
            "year_group",
            "enrolment_status",
            "entry_date",
            "leaving_date",
            "postcode",
        ]
    )
    messages = {w.field: w.message for w in roll.warnings}
    assert "DfE rule 1510" in messages["upn"] and "'A343200024001'" in messages["upn"]
    assert "'31/02/2015' is not a real date" in messages["date_of_birth"]
    assert "'Year 15'" in messages["year_group"]
    assert all(m.endswith("(left blank)") for m in messages.values())
    assert roll.errors == ()


def test_a_row_with_no_name_and_no_upn_is_an_error_and_not_a_pupil() -> None:
    roll = csv_roll(
        f"{UPN_1},,Example,Amelia,,,,2015-04-12,F,6,C,,,",
        ",,,,,,,2014-01-01,M,7,C,,,",
        "Z801200001001,,,,,,,2014-01-01,M,7,C,,,",
    )

    assert [p.position for p in roll.pupils] == [2]
    assert [(e.row, e.field) for e in roll.errors] == [(3, "(row)"), (4, "(row)")]
    assert "no name and no UPN" in roll.errors[0].message
    assert "DfE rule 1510" in roll.errors[1].message  # its UPN was given, but not valid
    assert roll.warnings == ()


def test_a_row_with_only_a_upn_or_only_a_forename_is_a_pupil() -> None:
    roll = csv_roll(f"{UPN_1},,,,,,,,,,,,,", ",,,Amelia,,,,,,,,,,")

    assert [(p.upn, p.forename) for p in roll.pupils] == [(UPN_1, ""), ("", "Amelia")]
    assert roll.errors == ()


def test_duplicate_upn_at_the_same_school_is_warned_about_and_both_rows_kept() -> None:
    roll = parse_roll(census_csv([roll_pupil(), roll_pupil(forename="Amy")]))

    assert len(roll.pupils) == 2
    assert fields_of(roll) == [(3, "upn")]
    assert "row 2" in roll.warnings[0].message and "1520" in roll.warnings[0].message


def test_main_and_subsidiary_dual_registrations_are_not_duplicates_and_keep_their_status() -> None:
    roll = parse_roll(
        census_csv(
            [
                roll_pupil(enrolment_status="M"),
                roll_pupil(enrolment_status="S", school_urn="104999", school_laestab="3434001"),
            ]
        )
    )

    assert [p.enrolment_status for p in roll.pupils] == ["M", "S"]
    assert roll.warnings == ()
    assert roll.schools == frozenset({("104512", "3432000"), ("104999", "3434001")})


def test_the_same_upn_current_at_two_schools_is_warned_about() -> None:
    roll = parse_roll(census_csv([roll_pupil(), roll_pupil(school_urn="104999")]))

    assert fields_of(roll) == [(3, "upn")]
    assert "another school" in roll.warnings[0].message


def test_la_wide_extract_names_a_school_per_row_and_no_file_school_when_mixed() -> None:
    roll = parse_roll(
        census_csv(
            [
                roll_pupil(),
                roll_pupil(upn=UPN_2, school_urn="", school_laestab="3434001"),
                roll_pupil(upn="", school_urn="", school_laestab=""),
            ]
        )
    )

    assert (roll.school_urn, roll.school_laestab) == ("", "")
    assert [(p.school_urn, p.school_laestab) for p in roll.pupils] == [
        ("104512", "3432000"),
        ("", "3434001"),
        ("", ""),
    ]
    assert roll.schools == frozenset({("104512", "3432000"), ("", "3434001")})
    assert fields_of(roll) == [(4, "school_urn")]
    assert "names no school" in roll.warnings[0].message


def test_a_file_without_school_columns_leaves_the_school_to_the_caller_without_warnings() -> None:
    roll = parse_roll(census_csv([roll_pupil()], school_columns=False))

    assert (roll.school_urn, roll.school_laestab, roll.warnings) == ("", "", ())
    assert roll.schools == frozenset()


def test_la_and_estab_in_separate_columns_make_the_dfe_number() -> None:
    roll = csv_roll(
        "Example,Amelia,6,343,2000",
        "Sample,Noah,6,343,12",
        header="Surname,Forename,NCyearActual,LA,Estab",
    )

    assert [p.school_laestab for p in roll.pupils] == ["3432000", "3430012"]


def test_bad_school_codes_are_warned_about_and_blanked() -> None:
    header = "Surname,Forename,NCyearActual,URN,LAEstab"
    roll = csv_roll("Example,Amelia,6,12345,343/20", header=header)

    (pupil,) = roll.pupils
    assert (pupil.school_urn, pupil.school_laestab) == ("", "")
    assert fields_of(roll) == [(2, "school_urn"), (2, "school_laestab")]


def test_leavers_keep_their_leaving_date_and_a_leaving_date_before_entry_is_warned() -> None:
    roll = parse_roll(
        census_csv(
            [
                roll_pupil(leaving_date=date(2026, 7, 22)),
                roll_pupil(upn=UPN_2, leaving_date=date(2018, 7, 20)),
            ]
        )
    )

    assert [p.leaving_date for p in roll.pupils] == [date(2026, 7, 22), date(2018, 7, 20)]
    assert fields_of(roll) == [(3, "leaving_date")]


def test_blank_lines_are_skipped_but_counted_in_positions() -> None:
    text = HEADER + "\r\n\r\n,,,,\r\n" + f"{UPN_1},,Example,Amelia,,,,,,6,C,,,\r\n"

    roll = parse_roll(text.encode())

    assert [p.position for p in roll.pupils] == [4]


def test_semicolon_separated_windows_1252_census_file_is_read() -> None:
    data = census_csv([roll_pupil(forename="Zoë")], delimiter=";", encoding="cp1252")

    (pupil,) = parse_roll(data).pupils
    assert pupil.forename == "Zoë"


def test_census_headings_in_a_workbook_are_a_census_roll() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["UPN", "Surname", "Forename", "DOB", "NCyearActual", "EnrolStatus", "URN"])
    sheet.append([UPN_1, "Example", "Amelia", date(2015, 4, 12), 6, "C", 104512])
    out = io.BytesIO()
    workbook.save(out)

    roll = parse_roll(out.getvalue())

    assert roll.format is RollFormat.CENSUS
    (pupil,) = roll.pupils
    assert (pupil.date_of_birth, pupil.year_group, pupil.school_urn) == (
        date(2015, 4, 12),
        "6",
        "104512",
    )
