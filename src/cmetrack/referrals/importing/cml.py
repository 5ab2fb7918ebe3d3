"""CML (leavers) and CMJ (joiners) XML -> deletion or new-pupil return rows (docs/intake.md,
"CML and CMJ files").

A school's MIS exports its in-year leavers (CML) and joiners (CMJ) to the LA as XML through its
CTF functionality; the files follow the "Children Missing Education XML message structure"
appendix of the DfE's CTF specification (CTF 17 onwards) and carry the CTF version. What the
sources confirm and what they do not is in docs/intake.md. **The CME-specific element names are
not confirmed**, so every one is a table below, like ctf.py's: a wrong guess is a one-line fix.

Read exactly as a CTF is (ctf.py's `stream_records`: DTDs and entities refused, the file
streamed, each Pupil dropped once read, element caps), and every pupil becomes the cells
`RowValidator.add` takes, so the rows get the same checks as CSV, XLSX and CTF rows:
- the school on every row is the header's `SourceSchool` (the school sending the file);
- CML: each pupil is a deletion row. The removal date is the `LeavingDate` of the source school
  in `SchoolHistory` (else a pupil-level element, else the file's date, with a warning). The
  leaving reason becomes a regulation 9(1) ground through `reason_ground`; a reason this module
  cannot read with certainty leaves the ground blank, so the check flags "no ground stated" (a
  CME enquiry) and the file is never refused for it;
- CMJ: each pupil is a new-pupil row starting on the `EntryDate` of the source school (else a
  pupil-level element, else the file's date, with a warning);
- a CME file whose header says neither leavers nor joiners is read pupil by pupil: one with a
  leaving date or reason at the source school is a leaver, any other a joiner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from xml.etree.ElementTree import Element  # the type only; defusedxml parses # nosec B405

from cmetrack.core.grounds import GROUNDS, ground
from cmetrack.referrals.importing.ctf import (
    CTF_ROOT,
    LOST_PUPIL_ESTAB,
    LOST_PUPIL_LEA,
    OUT_OF_SECTOR_ESTAB,
    OUT_OF_SECTOR_LEA,
    PUPIL_FIELDS,
    SCHOOL_HISTORY_PATH,
    CtfHeader,
    CtfPupil,
    check_ctf_version,
    element_text,
    history_date,
    pick_fields,
    read_header,
    read_pupil,
    root_name,
    stream_records,
)
from cmetrack.referrals.importing.rows import ParsedFile, RowWarning, UnreadableFile
from cmetrack.referrals.importing.tabular import DEFAULT_MAX_ROWS, Progress, RowValidator


class CmeKind(StrEnum):
    LEAVERS = "CML"
    JOINERS = "CMJ"
    UNSTATED = "CME"  # a CME file whose header does not say which: decided pupil by pupil

    @property
    def label(self) -> str:
        return {"CML": "CML (leavers)", "CMJ": "CMJ (joiners)", "CME": "CME"}[self.value]


# --- how a CML/CMJ is recognised (verify: the appendix's root and DocumentName) -------------

# Root elements that name the kind themselves. Unconfirmed guesses: the appendix's messages are
# most likely `CTfile`s (they carry the CTF version, and LA systems import them "conforming to"
# the CTF specification), in which case the header's DocumentName below decides.
ROOT_KINDS: dict[str, CmeKind] = {"CMLfile": CmeKind.LEAVERS, "CMJfile": CmeKind.JOINERS}
CME_ROOTS = (CTF_ROOT, *ROOT_KINDS)

# `Header/DocumentName` patterns, tried in order (case-insensitive). An ordinary CTF says
# "Common Transfer File" and matches none of them.
DOCUMENT_NAME_KINDS: tuple[tuple[str, CmeKind], ...] = (
    (r"\bCML\b|\bleaver", CmeKind.LEAVERS),
    (r"\bCMJ\b|\bjoiner", CmeKind.JOINERS),
    (r"\bCME\b|children missing education", CmeKind.UNSTATED),
)

# The LA the file is addressed to, below `Header` (first non-blank wins).
DEST_LA_PATHS = ("DestLA", "DestLEA", "DestSchool/LEA")

# --- pupil elements beyond the CTF's own (PUPIL_FIELDS, the first contact) --------------------

# Each is a tuple of paths below `Pupil`, tried in order, used when the source school's
# `SchoolHistory/School` entry does not have it (`LeavingDate`, `LeavingReason`, `EntryDate` are
# CTF elements there).
LEAVING_DATE_PATHS = ("LeavingDate", "DateOfLeaving")
LEAVING_REASON_PATHS = ("GroundForRemoval", "ReasonForRemoval", "LeavingReason", "ReasonForLeaving")
ENTRY_DATE_PATHS = ("EntryDate", "StartDate", "DateOfEntry")
HISTORY_REASON = "LeavingReason"

# Where the pupil is going (regulation 13(4) and 8(3)): elements holding a school (URN, LEA,
# Estab, SchoolName, as in the CTF header) and an address (as the CTF `Address`).
DESTINATION_SCHOOL_PATHS = ("DestinationSchool", "NewSchool", "FutureSchool")
NEW_ADDRESS_PATHS = ("NewAddress", "FutureAddress")
NEW_ADDRESS_DATE = "DateFrom"  # below a NEW_ADDRESS_PATHS element: the date of the move


def _address_table(container: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    # ctf.PUPIL_FIELDS' address rows, re-rooted at `container` instead of `Address`.
    return {
        name: tuple(tuple(f"{container}/{p.split('/', 1)[1]}" for p in alt) for alt in alts)
        for name, alts in PUPIL_FIELDS.items()
        if name in ("address_line_1", "town", "postcode")
    }


# --- leaving reason -> regulation 9(1) ground (School Attendance (Pupil Registration) (England)
# Regulations 2024) ---------------------------------------------------------------------------

# From 2016 MIS drop-downs carried the grounds of regulation 8(1) of the Education (Pupil
# Registration) (England) Regulations 2006, whose letters are NOT those of regulation 9(1) of
# the 2024 Regulations (8(1)(m), permanently excluded, is 9(1)(o); 9(1)(m) is a boarder's unpaid
# fees). A code that says which regulation it follows is translated; "" = no equivalent ground,
# or more than one (8(1)(a) is either 9(1)(d) or (e)): left for the CME team.
REGULATION_8_TO_9: dict[str, str] = {
    "a": "",  # school attendance order amended or revoked: 9(1)(d) or (e)
    "b": "a",  # registered at another school
    "c": "c",  # dual registered, the other school consents
    "d": "f",  # parent says in writing: education otherwise than at school
    "e": "g",  # no longer lives within reasonable distance
    "f": "h",  # not back within 10 school days after leave; enquiries failed
    "g": "",  # certified medically unfit until school age ends: no 9(1) ground
    "h": "i",  # 20 school days' continuous unauthorised absence; enquiries failed
    "i": "j",  # detained for 4 months or more
    "j": "k",  # died
    "k": "l",  # will cease to be of compulsory school age before the school next meets
    "l": "n",  # ceased to be a pupil of a school other than a maintained school or academy
    "m": "o",  # permanently excluded
    "n": "b",  # nursery pupil not moving to reception
}

# A bare letter does not say which regulation it follows. Only these read the same either way
# ("c" is dual registration in both; "o" exists only in 2024): every other is left blank.
BARE_LETTER_GROUNDS: dict[str, str] = {"c": "c", "o": "o"}

# Reasons given in words (compared case-insensitively, spaces collapsed).
REASON_WORDS: dict[str, str] = {
    "permanently excluded": "o",
    "permanent exclusion": "o",
    "elective home education": "f",
    "home education": "f",
    "died": "k",
    "deceased": "k",
}

_REGULATION_CODE = re.compile(
    r"(?:reg(?:ulation)?\.?\s*)?([89])\s*(?:\(\s*1\s*\)|1)?\s*\(?\s*([a-o])\s*\)?", re.ASCII
)
_BARE_LETTER = re.compile(r"\(?\s*([a-o])\s*\)?", re.ASCII)


def _meaning(letter: str) -> str:
    return f"9(1)({letter}), {ground(letter).meaning}"


def reason_ground(reason: str) -> tuple[str, str]:
    """(ground letter or "", a note for the CME team or "") for a leaving reason as given."""
    text = " ".join(reason.split()).casefold()
    if not text:
        return "", ""
    quoted = f"leaving reason {reason.strip()!r}"
    if text in REASON_WORDS:
        letter = REASON_WORDS[text]
        return letter, f"{quoted} read as {_meaning(letter)}"
    if match := _REGULATION_CODE.fullmatch(text):
        regulation, given = match.groups()
        if regulation == "9":
            return given, ""
        letter = REGULATION_8_TO_9[given]
        if not letter:
            return "", (
                f"{quoted} is regulation 8(1)({given}) of the 2006 Regulations, which has no "
                "single regulation 9(1) ground: the CME team to establish the ground"
            )
        return letter, (
            f"{quoted} is regulation 8(1)({given}) of the 2006 Regulations: read as "
            f"{_meaning(letter)}"
        )
    if match := _BARE_LETTER.fullmatch(text):
        given = match.group(1)
        if given in BARE_LETTER_GROUNDS:
            return BARE_LETTER_GROUNDS[given], ""
        old = REGULATION_8_TO_9.get(given, "")
        return "", (
            f"{quoted} does not say which regulations it follows: 9(1)({given}) of 2024 is "
            f"'{GROUNDS[given].meaning}', 8(1)({given}) of 2006 is "
            + (f"today's 9(1)({old})" if old else "no single 9(1) ground")
            + ": the CME team to establish the ground"
        )
    return "", f"{quoted} is not a ground this importer knows: the CME team to establish it"


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CmeHeader:
    kind: CmeKind
    ctf: CtfHeader  # version, date, SourceSchool, DestSchool as a CTF header reads them
    dest_la: str = ""

    def describe(self) -> str:
        source = self.ctf.source
        return (
            f"{self.kind.label} CTF {self.ctf.version} from {source.name or 'unnamed school'} "
            f"(URN {source.urn or 'none'}, DfE {source.lea}/{source.estab})"
            + (f" to LA {self.dest_la}" if self.dest_la else "")
            + (f", dated {self.ctf.file_date:%d/%m/%Y}" if self.ctf.file_date else "")
        )


def _first_text(element: Element, paths: tuple[str, ...]) -> str:
    for path in paths:
        if text := element_text(element, path):
            return text
    return ""


def _header_kind(header: Element) -> CmeKind | None:
    name = element_text(header, "DocumentName")
    for pattern, kind in DOCUMENT_NAME_KINDS:
        if re.search(pattern, name, re.IGNORECASE):
            return kind
    return None


def cme_kind(data: bytes) -> CmeKind | None:
    """CML, CMJ or CME for a leaver/joiner file; None for anything else (an ordinary CTF, or
    XML that parse_ctf refuses). Reads no further than the header; a DOCTYPE is refused here."""
    root = root_name(data)
    if root in ROOT_KINDS:
        return ROOT_KINDS[root]
    if root != CTF_ROOT:
        return None
    for element in stream_records(data, roots=CME_ROOTS):
        if element.tag == "Header":
            return _header_kind(element)
        return None  # pupils before the header: parse_ctf says the file is damaged
    return None


def _read_header(header: Element, kind: CmeKind) -> CmeHeader:
    return CmeHeader(kind, read_header(header), _first_text(header, DEST_LA_PATHS))


def _check_header(header: CmeHeader, home_la: str | None) -> None:
    check_ctf_version(header.ctf.version)
    source = header.ctf.source
    if not re.fullmatch(r"\d{6}", source.urn):
        raise UnreadableFile(
            f"The {header.kind.value} file's SourceSchool has no valid URN ({source.urn or 'blank'}"
            f"; DfE number {source.lea}/{source.estab}), so the school is unknown."
        )
    if home_la and header.dest_la and header.dest_la != home_la:
        raise UnreadableFile(
            f"This {header.kind.value} file is addressed to LA {header.dest_la}, not to this "
            f"authority ({home_la}): it cannot be imported here."
        )


def parse_cme(
    data: bytes,
    *,
    today: date,
    home_la: str | None = None,
    kind: CmeKind | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ParsedFile:
    """A CML or CMJ file -> rows checked by `RowValidator` (the CSV/XLSX/CTF rules).

    `kind` is what `cme_kind` said (read again when not given). `home_la`, when given, refuses a
    file addressed to another authority; one that names no LA is read. More than `max_rows`
    pupils make the file unreadable, as for a CTF; `progress` as for every parser."""
    kind = kind or cme_kind(data)
    if kind is None:
        raise UnreadableFile("The XML file is not a CML or CMJ (leavers or joiners) file.")
    validator = RowValidator(today, max_rows=max_rows, progress=progress)
    header: CmeHeader | None = None
    number = 0
    for element in stream_records(data, roots=CME_ROOTS):
        if element.tag == "Header":
            header = _read_header(element, kind)
            _check_header(header, home_la)
            continue
        if header is None:
            raise UnreadableFile(
                f"The {kind.value} file has pupils before its Header; the file is damaged."
            )
        number += 1
        _add_pupil(validator, header, read_pupil(number, element), element)
    if header is None:
        raise UnreadableFile(f"The {kind.value} file has no Header.")
    if not number:
        # Most likely the pupils are under elements this importer does not know (see the
        # tables above) rather than a file about no child: say so rather than import nothing.
        raise UnreadableFile(
            f"The {kind.value} file has no pupils (no Pupil element under a ...pupilData "
            "element), so nothing can be imported."
        )
    return validator.result(header.describe())


def _source_entry(pupil: Element, header: CmeHeader) -> Element | None:
    source = header.ctf.source
    for school in pupil.findall(SCHOOL_HISTORY_PATH):
        if (element_text(school, "LEA"), element_text(school, "Estab")) == (
            source.lea,
            source.estab,
        ):
            return school
    return None


def _leaving_reason(pupil: Element, header: CmeHeader) -> str:
    entry = _source_entry(pupil, header)
    reason = element_text(entry, HISTORY_REASON) if entry is not None else ""
    return reason or _first_text(pupil, LEAVING_REASON_PATHS)


def _destination(pupil: Element) -> tuple[str, str, str, str]:
    """(URN, LEA, Estab, SchoolName) of the first destination school given."""
    for path in DESTINATION_SCHOOL_PATHS:
        found = pupil.find(path)
        if found is not None:
            urn, lea, estab, name = (
                element_text(found, part) for part in ("URN", "LEA", "Estab", "SchoolName")
            )
            if urn or lea or estab or name:
                return urn, lea, estab, name
    return "", "", "", ""


def _new_address(pupil: Element) -> tuple[str, str]:
    """(the new address on one line, the date of the move) from the first one given."""
    for path in NEW_ADDRESS_PATHS:
        values = pick_fields(pupil, _address_table(path))
        if values:
            line = ", ".join(
                values[name] for name in ("address_line_1", "town", "postcode") if name in values
            )
            return line, element_text(pupil, f"{path}/{NEW_ADDRESS_DATE}")
    return "", ""


def _add_pupil(
    validator: RowValidator, header: CmeHeader, pupil: CtfPupil, element: Element
) -> None:
    row = pupil.number + 1  # as in a CTF: pupil 1 is "row 2", as if row 1 were a header
    source = header.ctf.source
    cells: dict[str, object] = dict(pupil.values)
    cells["school_urn"] = source.urn
    notes: list[RowWarning] = []
    file_day = header.ctf.file_date.isoformat() if header.ctf.file_date else ""
    left = history_date(pupil, source, leaving=True) or _first_text(element, LEAVING_DATE_PATHS)
    reason = _leaving_reason(element, header)
    kind = header.kind
    if kind is CmeKind.UNSTATED:
        kind = CmeKind.LEAVERS if (left or reason) else CmeKind.JOINERS
    if kind is CmeKind.JOINERS:
        cells["return_type"] = "new_pupil"
        started = history_date(pupil, source, leaving=False) or _first_text(
            element, ENTRY_DATE_PATHS
        )
        if not started and file_day:
            started = file_day
            notes.append(
                RowWarning(row, "start_date", "no entry date in the CMJ: the file's date used")
            )
        cells["start_date"] = started
        validator.add(row, cells, notes=notes)
        return
    cells["return_type"] = "deletion"
    if not left and file_day:
        left = file_day
        notes.append(
            RowWarning(row, "deletion_date", "no leaving date in the CML: the file's date used")
        )
    cells["deletion_date"] = left
    letter, note = reason_ground(reason)
    cells["ground"] = letter
    if note:
        notes.append(RowWarning(row, "ground", note))
    urn, lea, estab, name = _destination(element)
    lost = lea.upper() == LOST_PUPIL_LEA or estab.upper() == LOST_PUPIL_ESTAB
    if lea.upper() == OUT_OF_SECTOR_LEA or estab.upper() == OUT_OF_SECTOR_ESTAB:
        notes.append(
            RowWarning(
                row,
                "new_school_urn",
                "destination MMM/MMMM: the pupil left the English and Welsh state sector, "
                "destination to be established",
            )
        )
    elif urn:
        cells["new_school_urn"] = urn
    elif (lea or estab or name) and not lost:
        notes.append(
            RowWarning(
                row,
                "new_school_urn",
                f"destination school given as {name or 'unnamed'} (DfE {lea or '?'}/"
                f"{estab or '?'}) without a URN: the CME team to confirm it",
            )
        )
    new_address, moved = _new_address(element)
    if new_address:
        cells["new_address"] = new_address
        cells["date_of_move"] = moved
    validator.add(row, cells, lost_pupil=lost, notes=notes)
