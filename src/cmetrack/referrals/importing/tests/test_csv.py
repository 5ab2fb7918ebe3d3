from __future__ import annotations

from datetime import date

import pytest

from cmetrack.referrals.importing.parse import parse_return_file
from cmetrack.referrals.importing.rows import (
    ParsedFile,
    ReturnType,
    RowError,
    RowWarning,
    UnreadableFile,
)

from .helpers import (
    DATA,
    GOOD_DELETION,
    GOOD_NEW_PUPIL,
    UPN_1,
    UPN_WRONG_LETTER,
    csv_bytes,
    row_with,
)

TODAY = date(2026, 11, 2)


def parse(data: bytes) -> ParsedFile:
    return parse_return_file(data, "returns.csv", today=TODAY)


def warnings_for(parsed: ParsedFile, field: str) -> list[RowWarning]:
    return [w for w in parsed.warnings if w.field == field]


def errors_for(parsed: ParsedFile, field: str) -> list[RowError]:
    return [e for e in parsed.errors if e.field == field]


# --- happy paths -------------------------------------------------------------------------


def test_template_csv_gives_one_row_per_pupil_with_spreadsheet_row_numbers() -> None:
    parsed = parse((DATA / "returns.csv").read_bytes())

    assert parsed.ok, parsed.errors
    assert parsed.source == "CSV"
    assert [r.row for r in parsed.rows] == [2, 3, 5]  # the blank line 4 is skipped, not renumbered
    first, second, third = parsed.rows
    assert first.return_type is ReturnType.DELETION
    assert (first.upn, first.ground, first.new_school_urn) == (UPN_1, "a", "104600")
    assert first.postcode == "l20 7ae"  # as given (spaces tidied); the service normalises
    assert second.return_type is ReturnType.NEW_PUPIL
    assert (second.sex, second.date_of_birth, second.start_date) == (
        "M",
        date(2014, 9, 3),
        date(2026, 10, 1),
    )
    assert third.upn == "" and third.ground == "f"
    assert third.address_line_1 == "Flat 3, 9 Hill Street"


def test_csv_with_a_utf8_byte_order_mark_reads_the_first_column() -> None:
    parsed = parse(b"\xef\xbb\xbf" + csv_bytes(GOOD_DELETION))

    assert parsed.ok
    assert parsed.rows[0].return_type is ReturnType.DELETION


def test_windows_1252_csv_keeps_accented_letters() -> None:
    data = csv_bytes(
        row_with(GOOD_DELETION, forename="Zoé", surname="O\u2019Brien"), encoding="cp1252"
    )
    assert b"\xe9" in data  # really Windows-1252, not UTF-8

    parsed = parse(data)

    assert parsed.ok
    assert (parsed.rows[0].forename, parsed.rows[0].surname) == ("Zoé", "O\u2019Brien")


def test_header_is_matched_by_name_in_any_case_and_order_and_extra_columns_are_ignored() -> None:
    data = (
        b"Surname,FORENAME,Date of birth,Return Type,School URN,Ground,Deletion date,Form\r\n"
        b"Example,Amelia,12/04/2015,Deletion,104512,F,20/10/2026,5B\r\n"
    )

    parsed = parse(data)

    assert parsed.ok, parsed.errors
    assert parsed.rows[0].surname == "Example"
    assert parsed.rows[0].deletion_date == date(2026, 10, 20)


def test_semicolon_separated_export_is_read() -> None:
    data = csv_bytes(GOOD_DELETION).replace(b",", b";")

    assert parse(data).ok


# --- whole-file refusals -----------------------------------------------------------------


def test_missing_required_columns_are_named() -> None:
    data = b"return_type,school_urn,surname\r\ndeletion,104512,Example\r\n"

    with pytest.raises(
        UnreadableFile, match="missing the required columns forename, date_of_birth"
    ):
        parse(data)


def test_a_column_given_twice_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="'surname' twice"):
        parse(b"return_type,school_urn,surname,forename,date_of_birth,Surname\r\n")


def test_utf16_csv_is_refused_with_how_to_save_it() -> None:
    data = "\ufeff" + "return_type,school_urn\r\n"

    with pytest.raises(UnreadableFile, match=r"UTF-16.*CSV UTF-8"):
        parse(data.encode("utf-16-le"))  # little-endian, BOM first
    with pytest.raises(UnreadableFile, match="UTF-16"):
        parse(data.encode("utf-16"))


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(UnreadableFile, match="NUL bytes"):
        parse(b"return_type\x00,school_urn\r\n")


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused() -> None:
    # 0x81 is undefined in Windows-1252 and invalid on its own in UTF-8.
    with pytest.raises(UnreadableFile, match="neither UTF-8 nor Windows-1252"):
        parse(csv_bytes(GOOD_DELETION) + b"\x81\r\n")


def test_header_only_file_has_no_rows_and_no_errors() -> None:
    parsed = parse(csv_bytes())
    assert parsed.rows == () and parsed.ok


# --- row errors ----------------------------------------------------------------------------


def test_every_problem_on_a_row_is_reported_with_row_and_field() -> None:
    bad = row_with(
        GOOD_DELETION,
        return_type="deletion",
        school_urn="10451",
        upn=UPN_WRONG_LETTER,
        surname="",
        date_of_birth="31/02/2015",
        sex="X",
        ground="z",
        deletion_date="",
    )

    parsed = parse(csv_bytes(GOOD_DELETION, bad))

    fields = {(e.row, e.field) for e in parsed.errors}
    assert (3, "upn") in {(w.row, w.field) for w in parsed.warnings}  # unverified, not refused
    assert fields == {
        (3, "school_urn"),
        (3, "surname"),
        (3, "date_of_birth"),
        (3, "sex"),
        (3, "ground"),
        (3, "deletion_date"),
    }
    assert [r.row for r in parsed.valid_rows()] == [2]


def test_non_existent_date_says_it_is_not_a_real_date() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, date_of_birth="31/02/2015")))

    (error,) = errors_for(parsed, "date_of_birth")
    assert str(error) == "row 2, date_of_birth: '31/02/2015' is not a real date"


def test_wrong_upn_check_letter_is_kept_unverified_with_a_warning_naming_dfe_rule_1510() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, upn=UPN_WRONG_LETTER)))

    assert parsed.ok
    (warning,) = warnings_for(parsed, "upn")
    assert "1510" in warning.message and "unverified" in warning.message
    assert parsed.rows[0].upn == UPN_WRONG_LETTER  # kept as typed, for the service to record


def test_upn_with_letters_in_the_middle_names_dfe_rule_1540() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, upn="W3432000X4001")))

    assert "1540" in warnings_for(parsed, "upn")[0].message


def test_unknown_return_type_is_an_error_and_the_row_is_not_offered() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, return_type="leaver")))

    assert "deletion or new_pupil" in errors_for(parsed, "return_type")[0].message
    assert parsed.rows == ()


def test_deletion_row_needs_a_deletion_date_and_a_missing_ground_is_flagged_not_refused() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, ground="", deletion_date="")))

    assert {e.field for e in parsed.errors} == {"deletion_date"}
    assert "No ground for removal was stated" in warnings_for(parsed, "ground")[0].message


def test_ground_a_without_the_new_school_urn_is_flagged_not_refused() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, ground="(a)")))

    assert parsed.ok
    assert "names no new school" in warnings_for(parsed, "new_school_urn")[0].message


def test_new_pupil_row_needs_a_start_date() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_NEW_PUPIL, start_date="")))

    assert "Enter the date the pupil started" in errors_for(parsed, "start_date")[0].message


def test_ground_on_a_new_pupil_row_is_ignored_with_a_warning() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_NEW_PUPIL, ground="c")))

    assert parsed.ok
    assert parsed.rows[0].ground == ""
    assert [w.field for w in parsed.warnings] == ["ground"]


def test_date_of_birth_in_the_future_is_an_error() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, date_of_birth="2027-01-01")))

    assert "in the future" in errors_for(parsed, "date_of_birth")[0].message


def test_same_upn_twice_for_the_same_school_and_return_type_is_a_duplicate_of_the_earlier_row() -> (
    None
):
    parsed = parse(csv_bytes(GOOD_DELETION, GOOD_NEW_PUPIL, row_with(GOOD_DELETION, surname="X")))

    (error,) = parsed.errors
    assert (error.row, error.field) == (4, "upn")
    assert "duplicates row 2" in error.message and "1520" in error.message


def test_same_name_and_birth_date_without_upn_is_a_duplicate() -> None:
    no_upn = row_with(GOOD_DELETION, upn="")
    parsed = parse(csv_bytes(no_upn, row_with(no_upn, surname="EXAMPLE", town="Elsewhere")))

    (error,) = parsed.errors
    assert (error.row, error.field) == (3, "surname")
    assert "duplicates row 2" in error.message


def test_same_child_leaving_one_school_and_joining_another_is_not_a_duplicate() -> None:
    joining = row_with(GOOD_NEW_PUPIL, upn=UPN_1, school_urn="104600")

    assert parse(csv_bytes(GOOD_DELETION, joining)).ok


# --- warnings, not errors ------------------------------------------------------------------


def test_child_over_compulsory_school_age_on_the_deletion_date_is_a_warning_not_an_error() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, date_of_birth="2008-01-15")))

    assert parsed.ok
    (warning,) = warnings_for(parsed, "date_of_birth")
    assert "not of compulsory school age on 20/10/2026" in warning.message
    assert "ceased to be of compulsory school age on 28 June 2024" in warning.message


def test_child_below_compulsory_school_age_on_the_start_date_is_a_warning() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_NEW_PUPIL, date_of_birth="2022-06-01")))

    assert parsed.ok
    assert "reaches compulsory school age on 31 August 2027" in parsed.warnings[0].message


def test_bad_postcode_is_a_warning_and_kept_as_given() -> None:
    parsed = parse(csv_bytes(row_with(GOOD_DELETION, postcode="L2O 7AE")))

    assert parsed.ok
    assert parsed.rows[0].postcode == "L2O 7AE"
    assert [w.field for w in parsed.warnings if w.field != "deletion_date"] == ["postcode"]
