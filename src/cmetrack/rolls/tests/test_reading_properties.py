"""Property tests: what each writer writes, `parse_roll` reads back unchanged (for the fields
the format carries), and no bytes make `parse_roll` raise anything but UnreadableFile."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmetrack.core.upn import upn_check_letter
from cmetrack.referrals.importing.values import clean_text
from cmetrack.rolls.reading import RollFormat, RollPupil, UnreadableFile, parse_roll
from cmetrack.testing.roll_files import census_csv, ctf_xml, mis_csv, mis_xlsx

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéöüłŁçÅßØ'- "
# Mostly name-like text, sometimes any letters, marks and spaces Unicode has.
names = st.one_of(
    st.text(alphabet=LETTERS, max_size=14),
    st.text(st.characters(categories=("L", "M", "Zs", "Pd", "Po")), max_size=10),
).map(clean_text)
address_text = st.text(alphabet=LETTERS + "0123456789,/", max_size=40).map(clean_text)
days = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))


@st.composite
def upns(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=11, max_size=11))
    last = draw(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUVWXYZ"))
    return upn_check_letter(body + last) + body + last


SCHOOLS = [("104512", "3432000"), ("104513", "3432001"), ("", "3434002"), ("104514", "")]


@st.composite
def roll_pupils(draw: st.DrawFn) -> RollPupil:
    urn, laestab = draw(st.sampled_from(SCHOOLS))
    pupil = RollPupil(
        position=0,
        upn=draw(st.one_of(st.just(""), upns())),
        former_upn=draw(st.one_of(st.just(""), upns())),
        surname=draw(names),
        forename=draw(names),
        middle_names=draw(names),
        preferred_surname=draw(names),
        preferred_forename=draw(names),
        date_of_birth=draw(days),
        sex=draw(st.sampled_from(["F", "M", ""])),
        year_group=draw(st.sampled_from(["N1", "N2", "R", *map(str, range(1, 15)), "X", ""])),
        entry_date=draw(days),
        leaving_date=draw(days),
        enrolment_status=draw(st.sampled_from(["C", "M", "S", "G", "O", ""])),
        postcode=draw(
            st.sampled_from(["L20 7AE", "PR8 1DA", "SW1A 1AA", "N1C 4AG", "GIR 0AA", ""])
        ),
        address=draw(address_text),
        school_urn=urn,
        school_laestab=laestab,
    )
    if not (pupil.surname or pupil.forename or pupil.upn):
        pupil = dataclasses.replace(pupil, surname="Example")
    return pupil


pupil_lists = st.lists(roll_pupils(), min_size=1, max_size=6)


def numbered(pupils: Sequence[RollPupil], first: int, **blanked: Any) -> list[RollPupil]:
    return [dataclasses.replace(p, position=first + n, **blanked) for n, p in enumerate(pupils)]


@SETTINGS
@given(pupil_lists, st.sampled_from(["%Y-%m-%d", "%d/%m/%Y"]))
def test_census_csv_round_trips(pupils: list[RollPupil], date_format: str) -> None:
    roll = parse_roll(census_csv(pupils, date_format=date_format))

    assert roll.format is RollFormat.CENSUS
    assert roll.errors == ()
    assert list(roll.pupils) == numbered(pupils, 2, address="")  # the census has no address


@SETTINGS
@given(pupil_lists, st.sampled_from(SCHOOLS[:2]), days)
def test_ctf_round_trips(
    pupils: list[RollPupil], school: tuple[str, str], as_of: date | None
) -> None:
    urn, laestab = school
    roll = parse_roll(ctf_xml(pupils, urn=urn, laestab=laestab, name="Example School", as_of=as_of))

    assert (roll.format, roll.school_urn, roll.school_laestab) == (RollFormat.CTF, urn, laestab)
    assert (roll.school_name, roll.as_of) == ("Example School", as_of)
    # A CTF names its school once, in the header, and carries no enrolment status.
    assert list(roll.pupils) == numbered(
        pupils, 1, enrolment_status="", school_urn=urn, school_laestab=laestab
    )


@SETTINGS
@given(pupil_lists, st.booleans())
def test_mis_csv_round_trips(pupils: list[RollPupil], dfe_slash: bool) -> None:
    roll = parse_roll(mis_csv(pupils, dfe_slash=dfe_slash))

    assert roll.format is RollFormat.MIS
    assert list(roll.pupils) == numbered(pupils, 2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pupil_lists)
def test_mis_xlsx_round_trips(pupils: list[RollPupil]) -> None:
    roll = parse_roll(mis_xlsx(pupils, title_rows=("Student List",)))

    assert list(roll.pupils) == numbered(pupils, 3)


PREFIXES = [
    b"",
    b"PK\x03\x04",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b'<?xml version="1.0"?><CTfile><Header><CTFversion>26.0</CTFversion>',
    b"<CTfile><CTFpupilData><Pupil>",
    b"UPN,Surname,Forename,DOB,NCyearActual,EnrolStatus,URN,LAEstab\r\n",
    b"Student List\nLegal Surname;Legal Forename;Year;DfE Number;School\n",
]
FORMATS = st.one_of(st.none(), st.sampled_from(list(RollFormat)))


def parses_or_is_unreadable(data: bytes, roll_format: RollFormat | None) -> None:
    try:
        roll = parse_roll(data, format=roll_format, max_rows=200)
    except UnreadableFile as refused:
        assert str(refused)
        return
    positions = [p.position for p in roll.pupils] + [e.row for e in roll.errors]
    assert len(positions) == len(set(positions))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PREFIXES), st.binary(max_size=600), FORMATS)
def test_arbitrary_bytes_raise_nothing_but_unreadable_file(
    prefix: bytes, tail: bytes, roll_format: RollFormat | None
) -> None:
    parses_or_is_unreadable(prefix + tail, roll_format)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pupil_lists, st.sampled_from(["census", "ctf", "mis", "xlsx"]), st.data())
def test_damaged_roll_files_raise_nothing_but_unreadable_file(
    pupils: list[RollPupil], kind: str, data: st.DataObject
) -> None:
    written = {
        "census": lambda: census_csv(pupils),
        "ctf": lambda: ctf_xml(pupils, urn="104512", laestab="3432000", name="X", as_of=None),
        "mis": lambda: mis_csv(pupils),
        "xlsx": lambda: mis_xlsx(pupils),
    }[kind]()
    # Where to cut or overwrite, as a fraction: a workbook's length varies with its timestamp.
    fraction = st.floats(min_value=0, max_value=1)
    cut = int(data.draw(fraction) * len(written))
    at = int(data.draw(fraction) * len(written))
    junk = data.draw(st.binary(min_size=1, max_size=8))
    damaged = data.draw(
        st.sampled_from([written[:cut], written[:at] + junk + written[at + len(junk) :]])
    )
    parses_or_is_unreadable(damaged, data.draw(FORMATS))
