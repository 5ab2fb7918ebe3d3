"""Common Transfer File (CTF) XML -> deletion or new-pupil return rows (STANDARDS.md, "CTF").

Every file is treated as hostile: defusedxml's expat-based iterparse with DTDs, entities and
external references forbidden (a DOCTYPE is refused before anything in it is read, so "billion
laughs" and external-entity files never expand), under the caller's size limit. The file is
streamed and each `Pupil` element is dropped once read, so memory stays flat with file size.

Mapping (the element names are a table below, so a wrong guess is a one-line fix):
- `Header/SourceSchool` (LEA, Estab, URN, SchoolName) is the school on every row.
- `Header/DestSchool` LEA `XXX` / Estab `XXXX` marks a **lost pupil** CTF (destination unknown):
  each pupil becomes a deletion row with `lost_pupil=True` and the ground left blank ("ground
  not stated": recorded and flagged, never refused, then a CME enquiry with whereabouts
  unknown). The deletion date is the pupil's `LeavingDate` at the source school in
  `SchoolHistory`, else the header `DateTime`'s date (with a warning).
- `MMM` / `MMMM` (left the English/Welsh state sector) is read the same way: a deletion notice
  with the ground not stated, each row flagged "left the state sector", for the CME team to
  establish where the child went. The authority never refuses information about a child.
- Any other destination makes new-pupil rows, starting on the `EntryDate` of the destination
  school in `SchoolHistory`, else on the header date (with a warning). When the caller passes
  its own LA number, a CTF addressed to another authority is refused.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element, ParseError  # types; defusedxml parses # nosec B405

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from cmetrack.referrals.importing.rows import ParsedFile, RowWarning, UnreadableFile
from cmetrack.referrals.importing.tabular import DEFAULT_MAX_ROWS, Progress, RowValidator
from cmetrack.referrals.importing.values import clean_text, parse_date

# CTF versions read. The DfE reissues the CTF yearly; STANDARDS.md says accept the current one
# and the one before. Whether the number follows the year of issue (CTF 12 was published in
# November 2012, so CTF 26 in autumn 2026) or the school year it serves (25.0 for 2025/26) is not
# settled here (verify against the DfE collection page), so both readings' "current and previous"
# are accepted: 24.0-26.0 in the 2026/27 school year. Add the next one each autumn.
ACCEPTED_CTF_VERSIONS = frozenset({"24.0", "25.0", "26.0"})

LOST_PUPIL_LEA, LOST_PUPIL_ESTAB = "XXX", "XXXX"
OUT_OF_SECTOR_LEA, OUT_OF_SECTOR_ESTAB = "MMM", "MMMM"

# Return-row field -> alternatives, tried in order; each alternative is a tuple of paths below
# `Pupil` whose non-blank texts are joined. The first alternative that yields text wins.
PUPIL_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "upn": (("UPN",),),
    "surname": (("Surname",),),
    "forename": (("Forename",),),
    "date_of_birth": (("DOB",),),
    "sex": (("Sex",), ("Gender",)),
    "address_line_1": (
        (
            "Address/BS7666Address/SAON",
            "Address/BS7666Address/PAON",
            "Address/BS7666Address/Street",
        ),
        ("Address/AddressLines/AddressLine1", "Address/AddressLines/AddressLine2"),
    ),
    "town": (
        ("Address/BS7666Address/Town",),
        ("Address/BS7666Address/PostTown",),
        ("Address/AddressLines/AddressLine3",),
        ("Address/AddressLines/AddressLine4",),
    ),
    "postcode": (("Address/PostCode",),),
}

# The first contact (lowest `Order`, else first in the file) is the parent on the return.
CONTACT_PATH = "Contacts/Contact"
CONTACT_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "parent_name": (("Forename", "Surname"),),
    "parent_phone": (("Phones/Phone/PhoneNo",),),
}

SCHOOL_HISTORY_PATH = "SchoolHistory/School"

# Fields whose parts are joined with a space; address parts are joined with ", ".
SPACE_JOINED = frozenset({"parent_name"})

# A real Pupil has tens to a few thousand elements (attendance, assessment history); the cap
# stops a small file of many tiny elements from taking the server's memory.
MAX_RECORD_ELEMENTS = 50_000

_NUMBER_LIKE = re.compile(r"\d+[A-Za-z]?", re.ASCII)  # a PAON such as "14" or "14A"


@dataclass(frozen=True)
class CtfSchool:
    lea: str = ""
    estab: str = ""
    urn: str = ""
    name: str = ""

    @property
    def laestab(self) -> str:
        return f"{self.lea}{self.estab}"


@dataclass(frozen=True)
class CtfHeader:
    version: str
    file_date: date | None
    source: CtfSchool
    dest: CtfSchool
    document_name: str = ""

    @property
    def lost_pupil(self) -> bool:
        return self.dest.lea.upper() == LOST_PUPIL_LEA or self.dest.estab.upper() == (
            LOST_PUPIL_ESTAB
        )

    @property
    def out_of_sector(self) -> bool:
        return self.dest.lea.upper() == OUT_OF_SECTOR_LEA or self.dest.estab.upper() == (
            OUT_OF_SECTOR_ESTAB
        )

    def describe(self) -> str:
        where = (
            "lost pupil (destination unknown)"
            if self.lost_pupil
            else "left the state sector (MMM/MMMM)"
            if self.out_of_sector
            else f"to LA {self.dest.lea} establishment {self.dest.estab}"
        )
        return (
            f"CTF {self.version} from {self.source.name or 'unnamed school'} "
            f"(URN {self.source.urn or 'none'}, DfE {self.source.lea}/{self.source.estab}), "
            f"{where}" + (f", dated {self.file_date:%d/%m/%Y}" if self.file_date else "")
        )


@dataclass
class CtfPupil:
    number: int
    values: dict[str, str]
    history: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (LEA, Estab, EntryDate, LeavingDate) per SchoolHistory/School


def local_name(tag: object) -> str:
    # "{namespace}Pupil" -> "Pupil"; comments/processing instructions have non-str tags.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def element_text(element: Element, path: str) -> str:
    found = element.find(path)
    return clean_text(found.text) if found is not None and found.text else ""


def _join(parts: list[str], name: str) -> str:
    if name in SPACE_JOINED:
        return " ".join(parts)
    out = ""
    for part in parts:
        if not out:
            out = part
        elif _NUMBER_LIKE.fullmatch(out.rsplit(", ", 1)[-1]):
            out = f"{out} {part}"  # "14" + "Acacia Avenue" -> "14 Acacia Avenue"
        else:
            out = f"{out}, {part}"
    return out


def pick_fields(element: Element, table: dict[str, tuple[tuple[str, ...], ...]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, alternatives in table.items():
        for paths in alternatives:
            text = _join([t for t in (element_text(element, p) for p in paths) if t], name)
            if text:
                values[name] = text
                break
    return values


def read_pupil(number: int, pupil: Element) -> CtfPupil:
    values = pick_fields(pupil, PUPIL_FIELDS)
    contacts = pupil.findall(CONTACT_PATH)
    if contacts:

        def order(indexed: tuple[int, Element]) -> tuple[int, int]:
            text = element_text(indexed[1], "Order")
            return (int(text) if text.isdigit() else 1_000_000, indexed[0])

        first = min(enumerate(contacts), key=order)[1]
        values.update(pick_fields(first, CONTACT_FIELDS))
    history = [
        (
            element_text(school, "LEA"),
            element_text(school, "Estab"),
            element_text(school, "EntryDate"),
            element_text(school, "LeavingDate"),
        )
        for school in pupil.findall(SCHOOL_HISTORY_PATH)
    ]
    return CtfPupil(number, values, history)


def read_header(header: Element) -> CtfHeader:
    def school(path: str) -> CtfSchool:
        return CtfSchool(
            element_text(header, f"{path}/LEA"),
            element_text(header, f"{path}/Estab"),
            element_text(header, f"{path}/URN"),
            element_text(header, f"{path}/SchoolName"),
        )

    stamp = element_text(header, "DateTime")
    try:
        file_date = parse_date(stamp[:10]) if stamp else None
    except ValueError:
        file_date = None
    return CtfHeader(
        version=element_text(header, "CTFversion"),
        file_date=file_date,
        source=school("SourceSchool"),
        dest=school("DestSchool"),
        document_name=element_text(header, "DocumentName"),
    )


def _hostile(exc: Exception) -> UnreadableFile:
    return UnreadableFile(
        f"The XML file is refused: DOCTYPE/entities are not allowed ({type(exc).__name__})."
    )


def _events(data: bytes) -> Iterator[tuple[str, Element]]:
    """iterparse that turns every parser failure into UnreadableFile with the line."""
    # Some exporters put a UTF-8 BOM and blank lines before the XML declaration, which XML does
    # not allow; the BOM only says "UTF-8", expat's default, so both can go. Line numbers in
    # messages then count from the declaration.
    if data.startswith(b"\xef\xbb\xbf") or data[:1].isspace():
        data = data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    parser = iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    while True:
        try:
            event, element = next(parser)
        except StopIteration:
            return
        except DefusedXmlException as exc:
            raise _hostile(exc) from None
        except ParseError as exc:
            line, column = getattr(exc, "position", (0, 0))
            reason = str(exc).split(":", 1)[0]
            raise UnreadableFile(
                f"The XML is malformed or truncated at line {line}, column {column + 1}: {reason}."
            ) from None
        except (ValueError, LookupError, UnicodeError) as exc:  # e.g. an unknown encoding
            raise UnreadableFile(f"The XML file cannot be read: {exc}.") from None
        yield event, element


CTF_ROOT = "CTfile"


def root_name(data: bytes) -> str:
    """The root element's name without namespace ("" if none); refuses what `_events` does."""
    for _event, element in _events(data):
        return local_name(element.tag)
    return ""


def stream_records(data: bytes, roots: Collection[str] = (CTF_ROOT,)) -> Iterator[Element]:
    """Yield the `Header` element, then each `Pupil` element (under a `...pupilData` element),
    tags without namespaces, for the caller to read at once: each is dropped as soon as the
    caller asks for the next. Memory stays flat: every other element is dropped from its parent
    as soon as it ends, and a Header or Pupil of more than MAX_RECORD_ELEMENTS elements is
    refused. A root element not in `roots` is refused; so are DTDs and entities (`_events`)."""
    stack: list[Element] = []
    record_depth = 0  # stack depth of the Header/Pupil being read; 0 when outside one
    record_size = 0
    number = 0
    for event, element in _events(data):
        if event == "start":
            name = local_name(element.tag)
            if not stack and name not in roots:
                expected = " or ".join(f"<{root}>" for root in roots)
                raise UnreadableFile(
                    "The XML file is not a Common Transfer File: its root element is "
                    f"<{name}>, not {expected}."
                )
            if record_depth:
                record_size += 1
                if record_size > MAX_RECORD_ELEMENTS:
                    raise UnreadableFile(
                        f"The CTF is refused: {local_name(stack[record_depth - 1].tag)} "
                        f"{number + 1} has more than {MAX_RECORD_ELEMENTS:,} elements."
                    )
            elif (name == "Header" and len(stack) == 1) or (
                name == "Pupil"
                and len(stack) == 2
                and local_name(stack[-1].tag).endswith("pupilData")
            ):
                record_depth, record_size = len(stack) + 1, 0
            stack.append(element)
            continue
        depth = len(stack)
        stack.pop()
        element.tag = local_name(element.tag)
        if record_depth and depth > record_depth:
            continue  # inside a Header/Pupil: kept until the record ends
        if depth == record_depth:
            record_depth = 0
            if element.tag != "Header":
                number += 1
            yield element
        if stack:
            stack[-1].remove(element)  # the parent never holds more than the current child


def _stream(data: bytes) -> Iterator[CtfHeader | CtfPupil]:
    """Yield the header, then each pupil, read from `stream_records`."""
    number = 0
    for element in stream_records(data):
        if element.tag == "Header":
            yield read_header(element)
        else:
            number += 1
            yield read_pupil(number, element)


def read_ctf_header(data: bytes) -> CtfHeader:
    """Just the header (stops reading once it has it): for the import record and for the
    service to resolve DestSchool LEA/Estab to a URN."""
    for item in _stream(data):
        if isinstance(item, CtfHeader):
            return item
    raise UnreadableFile("The CTF has no Header.")


def history_date(pupil: CtfPupil, school: CtfSchool, leaving: bool) -> str:
    for lea, estab, entry, leave in pupil.history:
        if lea == school.lea and estab == school.estab:
            return leave if leaving else entry
    return ""


def check_ctf_version(given: str) -> None:
    """UnreadableFile unless `given` ("26.0", or "26") is an accepted CTF version."""
    version = given
    if re.fullmatch(r"\d+", version):
        version += ".0"
    if version not in ACCEPTED_CTF_VERSIONS:
        raise UnreadableFile(
            f"CTF version {given or '(missing)'} is not accepted; this system reads "
            f"versions {', '.join(sorted(ACCEPTED_CTF_VERSIONS))}. Ask the school to export the "
            "CTF from an up-to-date system."
        )


def _check_header(header: CtfHeader, home_la: str | None) -> None:
    check_ctf_version(header.version)
    if not re.fullmatch(r"\d{6}", header.source.urn):
        raise UnreadableFile(
            f"The CTF header's SourceSchool has no valid URN ({header.source.urn or 'blank'}; "
            f"DfE number {header.source.lea}/{header.source.estab}), so the school is unknown."
        )
    leaving = header.lost_pupil or header.out_of_sector
    if home_la and not leaving and header.dest.lea != home_la:
        raise UnreadableFile(
            f"This CTF is addressed to LA {header.dest.lea or '(blank)'}, not to this authority "
            f"({home_la}): it cannot be imported here."
        )


def parse_ctf(
    data: bytes,
    *,
    today: date,
    home_la: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ParsedFile:
    """Every pupil as a row; more than `max_rows` pupils make the file unreadable (the
    validator counts them, and stops reading at the first one over)."""
    validator = RowValidator(today, max_rows=max_rows, progress=progress)
    header: CtfHeader | None = None
    for item in _stream(data):
        if isinstance(item, CtfHeader):
            _check_header(item, home_la)
            header = item
            continue
        if header is None:
            raise UnreadableFile("The CTF has pupils before its Header; the file is damaged.")
        _add_pupil(validator, header, item)
    if header is None:
        raise UnreadableFile("The CTF has no Header.")
    return validator.result(header.describe())


def _add_pupil(validator: RowValidator, header: CtfHeader, pupil: CtfPupil) -> None:
    row = pupil.number + 1  # like a spreadsheet whose row 1 is the header: pupil 1 is row 2
    cells: dict[str, object] = dict(pupil.values)
    cells["school_urn"] = header.source.urn
    notes: list[RowWarning] = []
    file_day = header.file_date.isoformat() if header.file_date else ""
    if header.lost_pupil or header.out_of_sector:
        cells["return_type"] = "deletion"
        if header.out_of_sector:
            notes.append(
                RowWarning(
                    row,
                    "ground",
                    "the CTF is addressed to MMM/MMMM: the pupil left the English and Welsh "
                    "state sector, destination to be established",
                )
            )
        left = history_date(pupil, header.source, leaving=True)
        if not left and file_day:
            left = file_day
            notes.append(
                RowWarning(row, "deletion_date", "no leaving date in the CTF: the file's date used")
            )
        cells["deletion_date"] = left
    else:
        cells["return_type"] = "new_pupil"
        started = history_date(pupil, header.dest, leaving=False)
        if not started and file_day:
            started = file_day
            notes.append(
                RowWarning(row, "start_date", "no entry date in the CTF: the file's date used")
            )
        cells["start_date"] = started
    validator.add(row, cells, lost_pupil=header.lost_pupil, notes=notes)
