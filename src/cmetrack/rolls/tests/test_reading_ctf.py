"""Full CTF rolls: the header's school and date, pupils' fields, SchoolHistory dates, and files
that are refused (hostile, wrong version, no school, not a CTF)."""

from __future__ import annotations

from datetime import date

import pytest

from cmetrack.rolls.reading import FILE_ROW, ParsedRoll, RollFormat, UnreadableFile, parse_roll
from cmetrack.testing.roll_files import ctf_xml, roll_pupil

HEADER = """<Header><CTFversion>{version}</CTFversion><DateTime>2026-10-01T09:15:00</DateTime>
<SourceSchool><LEA>343</LEA><Estab>2000</Estab><URN>{urn}</URN>
<SchoolName>Example Primary</SchoolName></SourceSchool>
<DestSchool><LEA>343</LEA></DestSchool></Header>"""


def ctf(*pupils: str, version: str = "26.0", urn: str = "104512", root: str = "CTfile") -> bytes:
    header = HEADER.format(version=version, urn=urn)
    body = "".join(f"<Pupil>{p}</Pupil>" for p in pupils)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>{header}'
        f"<CTFpupilData>{body}</CTFpupilData></{root}>"
    ).encode()


FULL_PUPIL = """
<UPN>W343200024001</UPN><Surname>Example</Surname><Forename>Isla</Forename>
<DOB>2016-05-20</DOB><Sex>F</Sex>
<BasicDetails><FormerUPN>V34320002401A</FormerUPN><PreferredSurname>Sample</PreferredSurname>
<PreferredForename>Izzy</PreferredForename><MiddleNames>May</MiddleNames>
<NCyearActual>5</NCyearActual></BasicDetails>
<Address><BS7666Address><SAON>Flat 2</SAON><PAON>14</PAON><Street>Acacia Avenue</Street>
<Town>Bootle</Town><PostTown>Liverpool</PostTown></BS7666Address><PostCode>l20 7ae</PostCode>
</Address>
<SchoolHistory>
<School><LEA>341</LEA><Estab>2005</Estab><EntryDate>2020-09-02</EntryDate>
<LeavingDate>2021-07-20</LeavingDate></School>
<School><LEA>343</LEA><Estab>2000</Estab><EntryDate>2021-09-01</EntryDate></School>
</SchoolHistory>
"""


def test_ctf_reads_the_source_school_the_file_date_and_every_pupil_field() -> None:
    roll = parse_roll(ctf(FULL_PUPIL), filename="roll.xml")

    assert roll.format is RollFormat.CTF
    assert (roll.school_urn, roll.school_laestab, roll.school_name) == (
        "104512",
        "3432000",
        "Example Primary",
    )
    assert roll.as_of == date(2026, 10, 1)
    assert roll.errors == roll.warnings == ()
    (pupil,) = roll.pupils
    assert pupil == roll_pupil(
        position=1,
        forename="Isla",
        former_upn="V34320002401A",
        preferred_surname="Sample",
        preferred_forename="Izzy",
        middle_names="May",
        date_of_birth=date(2016, 5, 20),
        year_group="5",
        entry_date=date(2021, 9, 1),  # the source school's SchoolHistory entry, not 341/2005's
        enrolment_status="",
        address="Flat 2, 14 Acacia Avenue, Bootle",
    )


def test_ctf_positions_are_the_pupils_order_from_one() -> None:
    roll = parse_roll(ctf("<Surname>A</Surname>", "<Surname>B</Surname>", "<Surname>C</Surname>"))

    assert [(p.position, p.surname) for p in roll.pupils] == [(1, "A"), (2, "B"), (3, "C")]


def test_ctf_older_files_gender_fields_under_pupil_and_address_lines() -> None:
    roll = parse_roll(
        ctf(
            "<Surname>Sample</Surname><Forename>Theo</Forename><Gender>M</Gender>"
            "<FormerUPN>V34320002401A</FormerUPN><MiddleNames>Lee</MiddleNames>"
            "<FormerSurname>Older</FormerSurname><NCyearActual>R</NCyearActual>"
            "<Address><AddressLines><AddressLine1>2 Marine Terrace</AddressLine1>"
            "<AddressLine3>Southport</AddressLine3></AddressLines>"
            "<PostCode>PR8 1DA</PostCode></Address>"
        )
    )

    (pupil,) = roll.pupils
    assert (pupil.sex, pupil.former_upn, pupil.middle_names) == ("M", "V34320002401A", "Lee")
    assert (pupil.preferred_surname, pupil.year_group) == ("Older", "R")
    assert (pupil.address, pupil.postcode) == ("2 Marine Terrace, Southport", "PR8 1DA")


def test_a_pupil_who_left_and_came_back_takes_the_latest_entry_at_the_source_school() -> None:
    history = (
        "<SchoolHistory>"
        "<School><LEA>343</LEA><Estab>2000</Estab><EntryDate>2022-09-01</EntryDate></School>"
        "<School><LEA>343</LEA><Estab>2000</Estab><EntryDate>2019-09-04</EntryDate>"
        "<LeavingDate>2020-03-01</LeavingDate></School>"
        "</SchoolHistory>"
    )
    roll = parse_roll(ctf(f"<Surname>Example</Surname>{history}"))

    (pupil,) = roll.pupils
    assert (pupil.entry_date, pupil.leaving_date) == (date(2022, 9, 1), None)


def test_a_leaver_in_the_ctf_keeps_the_leaving_date() -> None:
    roll = parse_roll(
        ctf_xml(
            [roll_pupil(leaving_date=date(2026, 7, 22))],
            urn="104512",
            laestab="3432000",
            name="Example Primary",
            as_of=date(2026, 9, 1),
        )
    )

    assert roll.pupils[0].leaving_date == date(2026, 7, 22)


def test_ctf_bad_fields_are_kept_blank_with_warnings_and_nameless_pupils_are_errors() -> None:
    roll = parse_roll(
        ctf(
            "<UPN>Z801200001001</UPN><Surname>Example</Surname><DOB>2016-02-30</DOB>"
            "<NCyearActual>E1</NCyearActual>",
            "<DOB>2016-02-01</DOB>",
        )
    )

    (pupil,) = roll.pupils
    assert (pupil.upn, pupil.date_of_birth, pupil.year_group) == ("", None, "")
    assert [(w.row, w.field) for w in roll.warnings] == [
        (1, "upn"),
        (1, "date_of_birth"),
        (1, "year_group"),
    ]
    assert [(e.row, e.field) for e in roll.errors] == [(2, "(row)")]


def test_ctf_namespaced_elements_are_read() -> None:
    data = ctf("<Surname>Example</Surname>").replace(
        b"<CTfile>", b'<CTfile xmlns="http://www.example.org/ctf">'
    )

    assert parse_roll(data).pupils[0].surname == "Example"


def test_ctf_with_a_bad_urn_but_a_good_dfe_number_is_read_with_a_file_warning() -> None:
    roll = parse_roll(ctf("<Surname>Example</Surname>", urn="12"))

    assert (roll.school_urn, roll.school_laestab) == ("", "3432000")
    assert [(w.row, w.field) for w in roll.warnings] == [(FILE_ROW, "school_urn")]
    assert roll.pupils[0].school_laestab == "3432000"


def refused(data: bytes) -> str:
    with pytest.raises(UnreadableFile) as caught:
        parse_roll(data)
    return str(caught.value)


def test_ctf_naming_no_source_school_is_refused() -> None:
    data = ctf("<Surname>Example</Surname>", urn="").replace(
        b"<LEA>343</LEA><Estab>2000</Estab>", b"", 1
    )

    assert "SourceSchool" in refused(data)


def test_ctf_of_a_version_not_accepted_is_refused() -> None:
    assert "version 19.0 is not accepted" in refused(ctf(version="19.0"))


def test_ctf_with_a_doctype_or_entities_is_refused_before_anything_expands() -> None:
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<CTfile><Header><CTFversion>26.0</CTFversion></Header><CTFpupilData><Pupil>"
        b"<Surname>&lol2;</Surname></Pupil></CTFpupilData></CTfile>"
    )
    external = (
        b'<?xml version="1.0"?>\n<!DOCTYPE CTfile [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
        b"<CTfile><CTFpupilData><Pupil><Surname>&s;</Surname></Pupil></CTFpupilData></CTfile>"
    )

    assert "DOCTYPE" in refused(laughs)
    assert "DOCTYPE" in refused(external)


def test_xml_that_is_not_a_ctf_is_refused() -> None:
    assert "not a Common Transfer File" in refused(ctf("<Surname>A</Surname>", root="Roll"))


def test_malformed_or_truncated_ctf_is_refused() -> None:
    assert "malformed or truncated" in refused(ctf("<Surname>Example</Surname>")[:-20])


def test_ctf_without_a_header_is_refused() -> None:
    data = b"<CTfile><CTFpupilData><Pupil><Surname>A</Surname></Pupil></CTFpupilData></CTfile>"

    assert "before its Header" in refused(data)


def test_ctf_with_more_pupils_than_the_limit_is_refused() -> None:
    data = ctf(*["<Surname>Example</Surname>"] * 4)

    assert len(parse_roll(data, max_rows=4).pupils) == 4
    with pytest.raises(UnreadableFile, match="more than 3 rows"):
        parse_roll(data, max_rows=3)


def roll_of(data: bytes) -> ParsedRoll:
    return parse_roll(data, format=RollFormat.CTF)


def test_ctf_with_a_bom_and_blank_lines_before_the_declaration_is_read() -> None:
    data = b"\xef\xbb\xbf\r\n" + ctf("<Surname>Example</Surname>")

    assert roll_of(data).pupils[0].surname == "Example"
