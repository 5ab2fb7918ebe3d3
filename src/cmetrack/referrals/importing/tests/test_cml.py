from __future__ import annotations

from datetime import date

import pytest

from cmetrack.referrals.importing import cml
from cmetrack.referrals.importing.cml import CmeKind, cme_kind, reason_ground
from cmetrack.referrals.importing.parse import parse_return_file
from cmetrack.referrals.importing.rows import ParsedFile, ReturnType, UnreadableFile

from .helpers import DATA

TODAY = date(2026, 11, 2)
CML = (DATA / "cml_sample.xml").read_bytes()
CMJ = (DATA / "cmj_sample.xml").read_bytes()
CTF = (DATA / "ctf_full.xml").read_bytes()


def parse(data: bytes, home_la: str | None = None) -> ParsedFile:
    return parse_return_file(data, "leavers.xml", today=TODAY, home_la=home_la)


def warnings_for(parsed: ParsedFile, row: int, field: str) -> list[str]:
    return [w.message for w in parsed.warnings if (w.row, w.field) == (row, field)]


# --- recognising the file -----------------------------------------------------------------


def test_the_kind_comes_from_the_header_and_an_ordinary_ctf_is_not_a_cme_file() -> None:
    assert cme_kind(CML) is CmeKind.LEAVERS
    assert cme_kind(CMJ) is CmeKind.JOINERS
    assert cme_kind(CTF) is None
    assert cme_kind(b"<html><body/></html>") is None
    plain = CML.replace(b"Children Missing Education leavers (CML)", b"Children Missing Education")
    assert cme_kind(plain) is CmeKind.UNSTATED


def test_a_root_that_names_the_kind_is_read_too() -> None:
    data = CML.replace(b"<CTfile>", b"<CMLfile>").replace(b"</CTfile>", b"</CMLfile>")
    data = data.replace(b"Children Missing Education leavers (CML)", b"Leavers")

    assert cme_kind(data) is CmeKind.LEAVERS
    assert len(parse(data).rows) == 3


def test_ctf_still_goes_to_the_ctf_reader() -> None:
    assert parse(CTF).source.startswith("CTF 26.0 from Example Primary (Liverpool)")


# --- CML: leavers -> deletion rows --------------------------------------------------------


def test_cml_pupils_become_deletion_rows_for_the_source_school() -> None:
    parsed = parse(CML, home_la="343")

    assert parsed.ok, parsed.errors
    assert parsed.source == (
        "CML (leavers) CTF 26.0 from Example Primary (Sefton) (URN 104512, DfE 343/2000) "
        "to LA 343, dated 30/10/2026"
    )
    assert [r.row for r in parsed.rows] == [2, 3, 4]
    assert {r.return_type for r in parsed.rows} == {ReturnType.DELETION}
    assert {r.school_urn for r in parsed.rows} == {"104512"}


def test_cml_leaver_fields_destination_and_new_address() -> None:
    first = parse(CML).rows[0]

    assert (first.upn, first.surname, first.forename) == ("U343200025101", "Example", "Amelia")
    assert (first.date_of_birth, first.sex) == (date(2016, 4, 12), "F")
    assert (first.address_line_1, first.town, first.postcode) == (
        "14 Acacia Avenue",
        "Bootle",
        "L20 7AE",
    )
    assert (first.parent_name, first.parent_phone) == ("Sam Example", "07700 900123")
    assert first.deletion_date == date(2026, 10, 23)  # LeavingDate at the source school
    assert first.ground == "a"  # 9(1)(a), as given
    assert first.new_school_urn == "104513"
    assert first.new_address == "2 Marine Terrace, Southport, PR8 1DA"
    assert first.date_of_move == date(2026, 10, 24)


def test_a_2006_regulation_8_code_is_translated_to_its_regulation_9_ground() -> None:
    parsed = parse(CML)

    assert parsed.rows[1].ground == "o"  # 8(1)(m) permanently excluded is 9(1)(o)
    (note,) = warnings_for(parsed, 3, "ground")
    assert "8(1)(m) of the 2006 Regulations: read as 9(1)(o), Permanently excluded" in note


def test_a_bare_letter_whose_meaning_changed_in_2024_is_left_blank_and_flagged() -> None:
    parsed = parse(CML)

    assert parsed.ok
    assert parsed.rows[2].ground == ""
    notes = warnings_for(parsed, 4, "ground")
    assert any("does not say which regulations" in n and "9(1)(i)" in n for n in notes)
    assert "No ground for removal was stated" in notes  # the shared deletion check's flag


def test_an_unknown_leaving_reason_is_flagged_never_refused() -> None:
    data = CML.replace(
        b"<LeavingReason>9(1)(a)</LeavingReason>", b"<LeavingReason>ZZ</LeavingReason>"
    )

    parsed = parse(data)

    assert parsed.ok, parsed.errors
    assert len(parsed.rows) == 3
    assert parsed.rows[0].ground == ""
    notes = warnings_for(parsed, 2, "ground")
    assert any("'ZZ' is not a ground this importer knows" in n for n in notes)
    assert "No ground for removal was stated" in notes


def test_no_reason_at_all_is_ground_not_stated() -> None:
    data = CML.replace(b"<LeavingReason>9(1)(a)</LeavingReason>", b"")

    parsed = parse(data)

    assert parsed.rows[0].ground == ""
    assert warnings_for(parsed, 2, "ground") == ["No ground for removal was stated"]


@pytest.mark.parametrize(
    ("reason", "letter"),
    [
        ("9(1)(a)", "a"),
        ("9(1)(O)", "o"),
        ("Regulation 9(1)(f)", "f"),
        ("9f", "f"),
        ("8(1)(b)", "a"),  # 2006: registered at another school
        ("8d", "f"),  # 2006: education otherwise than at school
        ("reg 8(1)(h)", "i"),  # 2006: 20 days' absence, enquiries failed
        ("8(1)(n)", "b"),  # 2006: nursery pupil
        ("8(1)(a)", ""),  # 2006: an attendance order amended or revoked: (d) or (e)
        ("8(1)(g)", ""),  # 2006: medically unfit: no 9(1) ground
        ("(c)", "c"),  # dual registration under both
        ("o", "o"),  # only 2024 has an (o)
        ("m", ""),  # 2006 permanently excluded, 2024 a boarder's unpaid fees
        ("Permanently  excluded", "o"),
        ("", ""),
        ("moved away", ""),
        ("9(1)(p)", ""),
    ],
)
def test_the_leaving_reason_table(reason: str, letter: str) -> None:
    assert reason_ground(reason)[0] == letter


def test_a_reason_can_be_a_pupil_element_and_a_destination_without_urn_is_noted() -> None:
    data = CML.replace(b"<LeavingReason>9(1)(a)</LeavingReason>", b"").replace(
        b"<DestinationSchool><URN>104513</URN>",
        b"<GroundForRemoval>9(1)(a)</GroundForRemoval><DestinationSchool>",
    )

    parsed = parse(data)

    first = parsed.rows[0]
    assert first.ground == "a" and first.new_school_urn == ""
    assert any(
        "Example Juniors (DfE 343/2001) without a URN" in m
        for m in warnings_for(parsed, 2, "new_school_urn")
    )


def test_a_destination_of_xxx_is_a_lost_pupil_row() -> None:
    data = CML.replace(
        b"<URN>104513</URN><LEA>343</LEA><Estab>2001</Estab>", b"<LEA>XXX</LEA><Estab>XXXX</Estab>"
    )

    first = parse(data).rows[0]

    assert first.lost_pupil and first.new_school_urn == ""


def test_cml_rows_get_the_same_checks_as_csv_rows() -> None:
    data = CML.replace(b"<DOB>2013-09-03</DOB>", b"<DOB>2013-02-30</DOB>").replace(
        b"<LeavingReason>h</LeavingReason>", b"<LeavingReason>9(1)(a)</LeavingReason>"
    )

    parsed = parse(data)

    assert {(e.row, e.field) for e in parsed.errors} == {(3, "date_of_birth")}
    assert any("names no new school" in m for m in warnings_for(parsed, 4, "new_school_urn"))


def test_no_leaving_date_uses_the_file_date_with_a_warning() -> None:
    data = CML.replace(b"<LeavingDate>2026-10-23</LeavingDate>", b"")

    parsed = parse(data)

    assert parsed.rows[0].deletion_date == date(2026, 10, 30)
    assert any("file's date used" in m for m in warnings_for(parsed, 2, "deletion_date"))


# --- CMJ: joiners -> new-pupil rows -------------------------------------------------------


def test_cmj_pupils_become_new_pupil_rows_starting_on_the_entry_date() -> None:
    parsed = parse(CMJ, home_la="343")

    assert parsed.ok, parsed.errors
    assert parsed.source.startswith("CMJ (joiners) CTF 26.0 from Example High School (URN 104777")
    first, second = parsed.rows
    assert {r.return_type for r in parsed.rows} == {ReturnType.NEW_PUPIL}
    assert {r.school_urn for r in parsed.rows} == {"104777"}
    assert (first.surname, first.forename, first.upn) == ("Example", "Oliver", "L343200025104")
    assert first.start_date == date(2026, 10, 26)  # EntryDate at the source (joining) school
    assert (first.parent_name, first.parent_phone) == ("Alex Example", "07700 900456")
    assert second.start_date == date(2026, 10, 30)  # no EntryDate: the file's date
    assert any("file's date used" in m for m in warnings_for(parsed, 3, "start_date"))


def test_an_unstated_cme_file_is_decided_pupil_by_pupil() -> None:
    data = CML.replace(b"Children Missing Education leavers (CML)", b"Children Missing Education")
    data = data.replace(
        b"<LeavingDate>2026-10-28</LeavingDate><LeavingReason>h</LeavingReason>", b""
    )

    parsed = parse(data)

    assert [r.return_type for r in parsed.rows] == [
        ReturnType.DELETION,
        ReturnType.DELETION,
        ReturnType.NEW_PUPIL,
    ]


# --- refused files ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [CML, CMJ])
def test_a_doctype_is_refused_before_anything_is_read(data: bytes) -> None:
    hostile = data.replace(
        b"<CTfile>",
        b'<!DOCTYPE CTfile [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<CTfile>',
        1,
    ).replace(b"<Surname>Example</Surname>", b"<Surname>&lol2;</Surname>", 1)

    with pytest.raises(UnreadableFile, match="DOCTYPE/entities are not allowed"):
        parse(hostile)


def test_an_external_entity_is_refused() -> None:
    hostile = CML.replace(
        b"<CTfile>", b'<!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<CTfile>', 1
    ).replace(b"<Forename>Amelia</Forename>", b"<Forename>&x;</Forename>", 1)

    with pytest.raises(UnreadableFile, match="DOCTYPE/entities are not allowed"):
        parse(hostile)


def test_a_malformed_file_is_unreadable_with_the_line() -> None:
    data = CML.replace(b"</Forename>", b"</Forname>", 1)

    with pytest.raises(UnreadableFile, match=r"malformed or truncated at line \d+, column \d+"):
        parse(data)


def test_a_truncated_file_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match="malformed or truncated"):
        parse(CMJ[: CMJ.index(b"<Surname>Sample")])


def test_a_file_for_another_authority_is_refused() -> None:
    with pytest.raises(UnreadableFile, match="CML file is addressed to LA 343, not to this"):
        parse(CML, home_la="340")


def test_a_file_naming_no_la_is_read() -> None:
    assert parse(CML.replace(b"<DestLA>343</DestLA>", b""), home_la="340").rows


def test_an_unaccepted_version_and_a_missing_urn_are_refused() -> None:
    with pytest.raises(UnreadableFile, match=r"CTF version 12\.0 is not accepted"):
        parse(CML.replace(b"<CTFversion>26.0<", b"<CTFversion>12.0<"))
    with pytest.raises(UnreadableFile, match="SourceSchool has no valid URN"):
        parse(CMJ.replace(b"<URN>104777</URN>", b""))


def test_a_file_with_no_pupils_found_is_refused_rather_than_imported_empty() -> None:
    data = CMJ.replace(b"CTFpupilData>", b"Leavers>")

    with pytest.raises(UnreadableFile, match="has no pupils"):
        parse(data)


def test_a_pupil_with_too_many_elements_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from cmetrack.referrals.importing import ctf

    monkeypatch.setattr(ctf, "MAX_RECORD_ELEMENTS", 50)
    data = CML.replace(b"<Sex>F</Sex>", b"<Sex>F</Sex>" + b"<Junk/>" * 60, 1)

    with pytest.raises(UnreadableFile, match="Pupil 1 has more than 50 elements"):
        parse(data)


def test_the_mapping_is_tables_a_wrong_guess_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    data = CML.replace(b"DestinationSchool>", b"Destination>")
    assert parse(data).rows[0].new_school_urn == ""

    monkeypatch.setattr(cml, "DESTINATION_SCHOOL_PATHS", ("Destination",))

    assert parse(data).rows[0].new_school_urn == "104513"


def test_the_row_cap_applies_to_a_cml_as_to_a_ctf() -> None:
    with pytest.raises(UnreadableFile, match="more than 2 rows"):
        parse_return_file(CML, "leavers.xml", today=TODAY, max_rows=2)
    assert len(parse_return_file(CML, "leavers.xml", today=TODAY, max_rows=3).rows) == 3
