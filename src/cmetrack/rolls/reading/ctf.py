"""A full Common Transfer File (CTF) XML -> `ParsedRoll` (STANDARDS.md, "CTF"). Pure.

The XML is read by the return importer's hardened streaming reader
(`referrals.importing.ctf.stream_records`: defusedxml, DTDs and entities refused, a record-size
cap, each Pupil dropped once read), and its header by `read_header`. The header's SourceSchool
is the school on every pupil's row; its DateTime is the date the roll is as of. A pupil's entry
and leaving dates are those of the SchoolHistory entry for the source school (the latest, if a
pupil left and came back). Element names are a table, so a wrong guess is a one-line fix.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element  # a type only; defusedxml parses # nosec B405

from cmetrack.referrals.importing.ctf import (
    check_ctf_version,
    element_text,
    pick_fields,
    read_header,
    stream_records,
)
from cmetrack.referrals.importing.rows import RowWarning, UnreadableFile

from .collect import RollCollector
from .fields import parse_date, parse_laestab, parse_urn
from .shape import FILE_ROW, ParsedRoll, RollFormat

BS7666 = "Address/BS7666Address"
LINES = "Address/AddressLines/AddressLine"

# Roll field -> alternatives, tried in order; each alternative is a tuple of paths below
# `Pupil` whose non-blank texts are joined (`pick_fields`). Several fields are in BasicDetails
# in the DfE's schema and directly under Pupil in some exporters' files: both are read.
PUPIL_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "upn": (("UPN",),),
    "former_upn": (("BasicDetails/FormerUPN",), ("FormerUPN",)),
    "surname": (("Surname",),),
    "forename": (("Forename",),),
    "middle_names": (("BasicDetails/MiddleNames",), ("MiddleNames",)),
    "preferred_surname": (
        ("BasicDetails/PreferredSurname",),
        ("PreferredSurname",),
        ("BasicDetails/FormerSurname",),
        ("FormerSurname",),
    ),
    "preferred_forename": (("BasicDetails/PreferredForename",), ("PreferredForename",)),
    "date_of_birth": (("DOB",),),
    "sex": (("Sex",), ("Gender",)),  # Gender in older files
    "year_group": (("BasicDetails/NCyearActual",), ("NCyearActual",)),
    "enrolment_status": (("BasicDetails/EnrolStatus",), ("EnrolStatus",)),
    "postcode": (("Address/PostCode",), ("Address/Postcode",)),
    "street": (
        (f"{BS7666}/SAON", f"{BS7666}/PAON", f"{BS7666}/Street", f"{BS7666}/Locality"),
        tuple(f"{LINES}{n}" for n in range(1, 6)),
    ),
    "town": ((f"{BS7666}/Town",), (f"{BS7666}/PostTown",)),
}
SCHOOL_HISTORY = "SchoolHistory/School"


def _history_dates(pupil: Element, lea: str, estab: str) -> tuple[str, str]:
    """(EntryDate, LeavingDate) of the source school's latest SchoolHistory entry."""
    best: tuple[str, str] | None = None
    for school in pupil.findall(SCHOOL_HISTORY):
        if element_text(school, "LEA") != lea or element_text(school, "Estab") != estab:
            continue
        dates = (element_text(school, "EntryDate"), element_text(school, "LeavingDate"))
        if best is None or _sortable(dates[0]) >= _sortable(best[0]):
            best = dates
    return best or ("", "")


def _sortable(text: str) -> str:
    try:
        day = parse_date(text)
    except ValueError:
        return ""
    return day.isoformat() if day else ""


def read_ctf(data: bytes, *, max_rows: int) -> ParsedRoll:
    collector = RollCollector(max_rows=max_rows)
    notes: list[RowWarning] = []
    header = None
    urn = laestab = ""
    number = 0
    for element in stream_records(data):
        if element.tag == "Header":
            header = read_header(element)
            check_ctf_version(header.version)
            urn, laestab, notes = _source_school(header.source.urn, header.source.laestab)
            continue
        if header is None:
            raise UnreadableFile("The CTF has pupils before its Header; the file is damaged.")
        number += 1
        values = pick_fields(element, PUPIL_FIELDS)
        address = ", ".join(p for p in (values.pop("street", ""), values.pop("town", "")) if p)
        entry, leaving = _history_dates(element, header.source.lea, header.source.estab)
        raw: dict[str, object] = {
            **values,
            "address": address,
            "entry_date": entry,
            "leaving_date": leaving,
            "school_urn": urn,
            "school_laestab": laestab,
        }
        collector.add(number, raw)
    if header is None:
        raise UnreadableFile("The CTF has no Header.")
    collector.warnings[:0] = notes
    return collector.result(
        RollFormat.CTF,
        school_urn=urn,
        school_laestab=laestab,
        school_name=header.source.name,
        as_of=header.file_date,
    )


def _source_school(given_urn: str, given_laestab: str) -> tuple[str, str, list[RowWarning]]:
    """The SourceSchool's URN and DfE number; one bad is a warning, both bad or blank make the
    roll nobody's, so the file is refused."""
    notes: list[RowWarning] = []
    try:
        urn = parse_urn(given_urn)
    except ValueError as problem:
        urn = ""
        notes.append(RowWarning(FILE_ROW, "school_urn", f"SourceSchool URN {problem}"))
    try:
        laestab = parse_laestab(given_laestab)
    except ValueError as problem:
        laestab = ""
        notes.append(RowWarning(FILE_ROW, "school_laestab", f"SourceSchool LEA/Estab {problem}"))
    if not urn and not laestab:
        raise UnreadableFile(
            "The CTF header's SourceSchool has neither a valid URN nor a valid LEA and Estab "
            f"(URN {given_urn or 'blank'}, DfE number {given_laestab or 'blank'}), so whose "
            "roll it is cannot be known."
        )
    return urn, laestab, notes
