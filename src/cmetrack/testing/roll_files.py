"""School-roll files written from `RollPupil`s, for tests and benchmarks (synthetic data only).

Each writer puts the fields its format carries: census CSV has no address; a CTF has no
enrolment status and names its school once, in the header (every pupil is on that school's
roll); MIS exports carry everything, in an MIS's words ("Female", "Year 7", "Main - Dual
Registration"). `parse_roll` of what a writer wrote gives the same pupils back, for those
fields (the round-trip tests say exactly which).
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from cmetrack.rolls.reading import RollPupil

CENSUS_COLUMNS = (
    "UPN",
    "FormerUPN",
    "Surname",
    "Forename",
    "MiddleNames",
    "PreferredSurname",
    "PreferredForename",
    "DOB",
    "Sex",
    "NCyearActual",
    "EnrolStatus",
    "EntryDate",
    "LeavingDate",
    "PostCode",
)
CENSUS_SCHOOL_COLUMNS = ("LAEstab", "URN")

MIS_COLUMNS = (
    "Legal Surname",
    "Legal Forename",
    "Middle Names",
    "Preferred Surname",
    "Preferred Forename",
    "Date of Birth",
    "Gender",
    "Year",
    "Reg Group",
    "Enrolment Status",
    "Admission Date",
    "Leaving Date",
    "Address",
    "Post Code",
    "UPN",
    "Former UPN",
)
MIS_SCHOOL_COLUMNS = ("URN", "DfE Number")

# A synthetic pupil (the UPNs' check letters are right); `roll_pupil(**changes)` varies it.
EXAMPLE_PUPIL = RollPupil(
    position=2,
    upn="W343200024001",
    former_upn="",
    surname="Example",
    forename="Amelia",
    middle_names="",
    preferred_surname="",
    preferred_forename="",
    date_of_birth=date(2015, 4, 12),
    sex="F",
    year_group="6",
    entry_date=date(2019, 9, 4),
    leaving_date=None,
    enrolment_status="C",
    postcode="L20 7AE",
    address="14 Acacia Avenue, Bootle",
    school_urn="104512",
    school_laestab="3432000",
)


def roll_pupil(**changes: Any) -> RollPupil:
    return dataclasses.replace(EXAMPLE_PUPIL, **changes)


MIS_SEX = {"F": "Female", "M": "Male", "": ""}
MIS_STATUS = {
    "C": "Single Registration",
    "M": "Main - Dual Registration",
    "S": "Subsidiary - Dual Registration",
    "G": "Guest",
    "O": "Other",
    "": "",
}


def _day(value: date | None, style: str) -> str:
    return value.strftime(style) if value else ""


def _csv(rows: Iterable[Sequence[object]], delimiter: str, encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def census_csv(
    pupils: Iterable[RollPupil],
    *,
    school_columns: bool = True,
    date_format: str = "%Y-%m-%d",
    sex_heading: str = "Sex",
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """A census pupil-module CSV; `school_columns` adds LAEstab and URN (an LA-wide extract)."""
    header: list[object] = [sex_heading if c == "Sex" else c for c in CENSUS_COLUMNS]
    if school_columns:
        header += CENSUS_SCHOOL_COLUMNS
    rows: list[list[object]] = [header]
    for p in pupils:
        row: list[object] = [
            p.upn,
            p.former_upn,
            p.surname,
            p.forename,
            p.middle_names,
            p.preferred_surname,
            p.preferred_forename,
            _day(p.date_of_birth, date_format),
            p.sex,
            p.year_group,
            p.enrolment_status,
            _day(p.entry_date, date_format),
            _day(p.leaving_date, date_format),
            p.postcode,
        ]
        if school_columns:
            row += [p.school_laestab, p.school_urn]
        rows.append(row)
    return _csv(rows, delimiter, encoding)


def _mis_year(year_group: str) -> str:
    if year_group == "R":
        return "Reception"
    if year_group in ("N1", "N2"):
        return f"Nursery {year_group[1]}"
    if year_group.isdigit():
        return f"Year {year_group}"
    return year_group  # "X" or ""


def _dfe_number(laestab: str, slash: bool) -> str:
    return f"{laestab[:3]}/{laestab[3:]}" if slash and laestab else laestab


def _mis_rows(
    pupils: Iterable[RollPupil], *, school_columns: bool, slash: bool, as_dates: bool
) -> list[list[object]]:
    header: list[object] = [*MIS_COLUMNS, *(MIS_SCHOOL_COLUMNS if school_columns else ())]
    rows: list[list[object]] = [header]

    def day(value: date | None) -> object:
        return value if as_dates else _day(value, "%d/%m/%Y")

    for n, p in enumerate(pupils):
        row: list[object] = [
            p.surname,
            p.forename,
            p.middle_names,
            p.preferred_surname,
            p.preferred_forename,
            day(p.date_of_birth),
            MIS_SEX[p.sex],
            _mis_year(p.year_group),
            f"{p.year_group or 'X'}{'ABC'[n % 3]}",  # Reg Group: ignored by the reader
            MIS_STATUS[p.enrolment_status],
            day(p.entry_date),
            day(p.leaving_date),
            p.address,
            p.postcode,
            p.upn,
            p.former_upn,
        ]
        if school_columns:
            row += [p.school_urn, _dfe_number(p.school_laestab, slash)]
        rows.append(row)
    return rows


def mis_csv(
    pupils: Iterable[RollPupil],
    *,
    school_columns: bool = True,
    dfe_slash: bool = True,
    title_rows: Sequence[str] = (),
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> bytes:
    """An MIS "student list" CSV: DD/MM/YYYY dates, `title_rows` above the header (as a
    report prints them), the DfE number written 123/4567 unless `dfe_slash` is False."""
    rows = _mis_rows(pupils, school_columns=school_columns, slash=dfe_slash, as_dates=False)
    titles: list[list[object]] = [[t] for t in title_rows]
    return _csv(titles + rows, delimiter, encoding)


def mis_xlsx(
    pupils: Iterable[RollPupil],
    *,
    school_columns: bool = True,
    dfe_slash: bool = True,
    title_rows: Sequence[str] = (),
    cover_sheet: bool = False,
) -> bytes:
    """The same report as an .xlsx: dates as date cells, URNs as numbers; `cover_sheet` puts a
    notes sheet first, as some reports do."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    if cover_sheet:
        notes = workbook.create_sheet("Notes")
        notes.append(["Student list report"])
        notes.append(["Generated for testing"])
    sheet = workbook.create_sheet("Students")
    for title in title_rows:
        sheet.append([title])
    rows = _mis_rows(pupils, school_columns=school_columns, slash=dfe_slash, as_dates=True)
    urn_at = len(MIS_COLUMNS)
    for number, row in enumerate(rows):
        if number and school_columns and row[urn_at]:
            row[urn_at] = int(str(row[urn_at]))
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _element(name: str, text: str) -> str:
    return f"<{name}>{html.escape(text)}</{name}>" if text else ""


def _ctf_pupil(p: RollPupil, lea: str, estab: str) -> str:
    basic = "".join(
        (
            _element("FormerUPN", p.former_upn),
            _element("PreferredSurname", p.preferred_surname),
            _element("PreferredForename", p.preferred_forename),
            _element("MiddleNames", p.middle_names),
            _element("NCyearActual", p.year_group),
        )
    )
    address = ""
    if p.address or p.postcode:
        lines = f"<AddressLines>{_element('AddressLine1', p.address)}</AddressLines>"
        address = f"<Address>{lines if p.address else ''}{_element('PostCode', p.postcode)}"
        address += "</Address>"
    history = ""
    if lea and (p.entry_date or p.leaving_date):
        dates = _element("EntryDate", _day(p.entry_date, "%Y-%m-%d")) + _element(
            "LeavingDate", _day(p.leaving_date, "%Y-%m-%d")
        )
        history = (
            f"<SchoolHistory><School><LEA>{lea}</LEA><Estab>{estab}</Estab>{dates}</School>"
            "</SchoolHistory>"
        )
    return (
        "<Pupil>"
        + _element("UPN", p.upn)
        + _element("Surname", p.surname)
        + _element("Forename", p.forename)
        + _element("DOB", _day(p.date_of_birth, "%Y-%m-%d"))
        + _element("Sex", p.sex)
        + (f"<BasicDetails>{basic}</BasicDetails>" if basic else "")
        + address
        + history
        + "</Pupil>\n"
    )


def ctf_xml(
    pupils: Iterable[RollPupil],
    *,
    urn: str,
    laestab: str,
    name: str,
    as_of: date | datetime | None,
    version: str = "26.0",
    dest_lea: str = "343",
    dest_estab: str = "",
) -> bytes:
    """A full CTF from the school (`urn`, `laestab` 7 digits, `name`) dated `as_of`; each
    pupil's entry and leaving dates go in its SchoolHistory entry for that school."""
    lea, estab = laestab[:3], laestab[3:]
    if isinstance(as_of, datetime):
        stamp = as_of.isoformat(timespec="seconds")
    else:
        stamp = f"{as_of.isoformat()}T09:00:00" if as_of else ""
    header = (
        "<Header><DocumentName>Common Transfer File</DocumentName>"
        f"{_element('CTFversion', version)}{_element('DateTime', stamp)}"
        "<DocumentQualifier>full</DocumentQualifier><SupplierID>cmetrack tests</SupplierID>"
        f"<SourceSchool>{_element('LEA', lea)}{_element('Estab', estab)}{_element('URN', urn)}"
        f"{_element('SchoolName', name)}</SourceSchool>"
        f"<DestSchool>{_element('LEA', dest_lea)}{_element('Estab', dest_estab)}</DestSchool>"
        "</Header>\n"
    )
    body = "".join(_ctf_pupil(p, lea, estab) for p in pupils)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>'
        f"{header}<CTFpupilData>\n{body}</CTFpupilData></CTfile>\n"
    )
    return text.encode("utf-8")
