from __future__ import annotations

from datetime import date

import pytest

from cmetrack.referrals.importing import ctf
from cmetrack.referrals.importing.ctf import ACCEPTED_CTF_VERSIONS, read_ctf_header
from cmetrack.referrals.importing.parse import parse_return_file
from cmetrack.referrals.importing.rows import ParsedFile, ReturnType, UnreadableFile

from .helpers import DATA

TODAY = date(2026, 11, 2)
FULL = (DATA / "ctf_full.xml").read_bytes()
LOST = (DATA / "ctf_lost_pupil.xml").read_bytes()


def parse(data: bytes, home_la: str | None = None) -> ParsedFile:
    return parse_return_file(data, "pupils.xml", today=TODAY, home_la=home_la)


def test_ctf_into_this_la_becomes_new_pupil_rows_for_the_source_school() -> None:
    parsed = parse(FULL, home_la="343")

    assert parsed.ok, parsed.errors
    assert parsed.source.startswith("CTF 26.0 from Example Primary (Liverpool) (URN 104777")
    first, second = parsed.rows
    assert (first.row, second.row) == (2, 3)  # pupil 1 is "row 2", as if row 1 were a header
    assert {r.return_type for r in parsed.rows} == {ReturnType.NEW_PUPIL}
    assert {r.school_urn for r in parsed.rows} == {"104777"}
    assert not first.lost_pupil


def test_ctf_pupil_fields_bs7666_address_and_first_contact_by_order() -> None:
    first = parse(FULL).rows[0]

    assert (first.upn, first.surname, first.forename) == ("C341500023007", "Example", "Isla")
    assert (first.date_of_birth, first.sex) == (date(2016, 5, 20), "F")
    assert (first.address_line_1, first.town, first.postcode) == (
        "Flat 2, 14 Acacia Avenue",
        "Bootle",
        "L20 7AE",
    )
    assert (first.parent_name, first.parent_phone) == ("Robin Example", "07700 900456")
    assert first.start_date == date(2026, 11, 3)  # EntryDate at the destination school


def test_ctf_older_gender_element_and_address_lines_and_start_date_from_the_file_date() -> None:
    parsed = parse(FULL)
    second = parsed.rows[1]

    assert second.sex == "M"
    assert (second.address_line_1, second.town) == ("2 Marine Terrace", "Southport")
    assert second.start_date == date(2026, 11, 2)  # header DateTime: no EntryDate for 343/2000
    # Row 3's start date came from the file date; row 2's EntryDate is tomorrow (expected then).
    assert [(w.row, w.field) for w in parsed.warnings] == [(2, "start_date"), (3, "start_date")]
    assert "in the future" in parsed.warnings[0].message


def test_lost_pupil_ctf_becomes_deletion_rows_with_no_ground_needed() -> None:
    parsed = parse(LOST, home_la="343")

    assert parsed.ok, parsed.errors
    (row,) = parsed.rows
    assert row.return_type is ReturnType.DELETION
    assert row.lost_pupil
    assert row.ground == ""
    assert row.school_urn == "104512"
    assert row.deletion_date == date(2026, 10, 14)  # LeavingDate at the source school
    assert "lost pupil" in parsed.source


def test_ctf_rows_get_the_same_checks_as_csv_rows() -> None:
    data = FULL.replace(b"<UPN>C341500023007</UPN>", b"<UPN>A341500023007</UPN>").replace(
        b"<DOB>2012-02-29</DOB>", b"<DOB>2012-02-30</DOB>"
    )

    parsed = parse(data)

    assert {(e.row, e.field) for e in parsed.errors} == {(3, "date_of_birth")}
    assert any(w.row == 2 and "1510" in w.message for w in parsed.warnings)


def test_ctf_with_a_namespace_is_read() -> None:
    data = FULL.replace(b"<CTfile>", b'<CTfile xmlns="urn:example:ctf">')

    assert len(parse(data).rows) == 2


def test_read_ctf_header_gives_both_schools() -> None:
    header = read_ctf_header(FULL)

    assert header.source.urn == "104777" and header.dest.laestab == "3432000"
    assert header.file_date == date(2026, 11, 2)


@pytest.mark.parametrize("fixture", ["billion_laughs.xml", "external_entity.xml"])
def test_doctype_and_entities_are_refused(fixture: str) -> None:
    with pytest.raises(UnreadableFile, match="DOCTYPE/entities are not allowed"):
        parse((DATA / fixture).read_bytes())


def test_a_bare_doctype_without_entities_is_refused_too() -> None:
    data = FULL.replace(b"<CTfile>", b"<!DOCTYPE CTfile>\n<CTfile>", 1)

    with pytest.raises(UnreadableFile, match="DOCTYPE/entities are not allowed"):
        parse(data)


def test_truncated_ctf_is_refused_with_the_line() -> None:
    cut = FULL[: FULL.index(b"<Surname>Sample")]

    with pytest.raises(UnreadableFile, match=r"malformed or truncated at line \d+"):
        parse(cut)


def test_malformed_ctf_is_refused_with_the_line() -> None:
    data = FULL.replace(b"</Forename>", b"</Forname>", 1)

    with pytest.raises(
        UnreadableFile, match="malformed or truncated at line 25, column 23: mismatched tag"
    ):
        parse(data)


def test_xml_that_is_not_a_ctf_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="not a Common Transfer File"):
        parse(b"<html><body>hello</body></html>")


def test_unsupported_ctf_version_is_refused_listing_the_accepted_ones() -> None:
    data = FULL.replace(b"<CTFversion>26.0<", b"<CTFversion>12.0<")

    with pytest.raises(
        UnreadableFile, match=r"CTF version 12\.0 is not accepted.*24\.0, 25\.0, 26\.0"
    ):
        parse(data)
    assert {"24.0", "25.0", "26.0"} == ACCEPTED_CTF_VERSIONS


def test_ctf_for_another_authority_is_refused_when_the_home_la_is_given() -> None:
    with pytest.raises(UnreadableFile, match="addressed to LA 343, not to this authority"):
        parse(FULL, home_la="340")


def test_ctf_to_mmm_becomes_deletion_rows_ground_not_stated_flagged_as_leaving_the_sector() -> None:
    data = LOST.replace(b"XXX<", b"MMM<").replace(b"XXXX<", b"MMMM<")

    parsed = parse(data, home_la="343")  # not refused as addressed elsewhere, either

    assert parsed.ok, parsed.errors
    (row,) = parsed.rows
    assert row.return_type == ReturnType.DELETION and row.ground == "" and not row.lost_pupil
    assert any("MMM/MMMM" in w.message for w in parsed.warnings)
    assert "left the state sector" in parsed.source


def test_ctf_without_a_source_urn_is_refused() -> None:
    data = FULL.replace(b"<URN>104777</URN>", b"")

    with pytest.raises(UnreadableFile, match="SourceSchool has no valid URN"):
        parse(data)


def test_a_pupil_record_with_too_many_elements_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctf, "MAX_RECORD_ELEMENTS", 50)
    data = FULL.replace(b"<Sex>F</Sex>", b"<Sex>F</Sex>" + b"<Junk/>" * 60, 1)

    with pytest.raises(UnreadableFile, match="Pupil 1 has more than 50 elements"):
        parse(data)


def test_many_elements_outside_pupils_are_dropped_as_read() -> None:
    junk = b"<Filler><Leaf/><Leaf/></Filler>" * 20_000
    data = FULL.replace(b"<CTFpupilData>", b"<CTFpupilData>" + junk, 1)

    assert len(parse(data).rows) == 2
