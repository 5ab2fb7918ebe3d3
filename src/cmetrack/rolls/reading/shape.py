"""The one shape every school-roll file is read into, whatever its format. Pure: no ORM.

A roll is a school's statement of who is on its roll. Reading keeps every row that could be a
pupil: a bad field is blanked and warned about, never a reason to drop the row. Only a row with
no name and no UPN is an error (it cannot be anyone), and it is not among the pupils.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cmetrack.core.row_errors import RowError
from cmetrack.referrals.importing.rows import RowWarning

# The row number of a warning about the file as a whole (the CTF header's school), as no
# spreadsheet row and no pupil has it.
FILE_ROW = 0


class RollFormat(StrEnum):
    CENSUS = "census"  # school census-style CSV/XLSX
    CTF = "ctf"  # full CTF XML
    MIS = "mis"  # MIS export CSV/XLSX


@dataclass(frozen=True)
class RollPupil:
    position: int  # spreadsheet row number (header row 1, first pupil 2); CTF: 1-based order
    upn: str  # normalised (upper case, no spaces), "" if none or not a valid UPN
    former_upn: str
    surname: str
    forename: str
    middle_names: str
    preferred_surname: str
    preferred_forename: str
    date_of_birth: date | None
    sex: str  # "F", "M" or ""
    year_group: str  # normalised NC year: "N1", "N2", "R", "1".."14", "X" or ""
    entry_date: date | None
    leaving_date: date | None
    enrolment_status: str  # census code C/M/S/G/O or ""
    postcode: str  # normalised, "" if none or not a postcode
    address: str  # one line, may be ""
    school_urn: str  # this row's school if the file says so per row, else the file's
    school_laestab: str  # 7 digits, or ""


@dataclass(frozen=True)
class ParsedRoll:
    format: RollFormat
    school_urn: str  # the file's school (CTF SourceSchool, or the one every row names), or ""
    school_laestab: str
    school_name: str
    as_of: date | None  # the date the file itself states (CTF header DateTime), else None
    pupils: tuple[RollPupil, ...]
    errors: tuple[RowError, ...]  # rows that cannot be a pupil at all: not in `pupils`
    warnings: tuple[RowWarning, ...]  # accepted, but worth showing

    @property
    def schools(self) -> frozenset[tuple[str, str]]:
        """The distinct (urn, laestab) the pupils are on the roll of; a pupil whose row names
        no school (both blank) adds nothing (its row has a warning instead)."""
        return frozenset(
            (p.school_urn, p.school_laestab)
            for p in self.pupils
            if p.school_urn or p.school_laestab
        )
