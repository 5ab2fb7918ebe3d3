"""The contract between the bulk-import parsers (CSV, XLSX, CTF XML) and the intake services.

Parsers turn a file into `ReturnRow`s and `RowError`s and never touch the database; the import
service checks rows against the database (school URNs, likely duplicates) and commits them.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cmetrack.core.row_errors import RowError

# The downloadable template's header, in this order (issue 3).
TEMPLATE_COLUMNS = (
    "return_type", "school_urn", "upn", "surname", "forename", "date_of_birth", "sex",
    "address_line_1", "town", "postcode", "parent_name", "parent_phone",
    "parent_2_name", "parent_2_phone", "ground",
    "deletion_date", "start_date", "new_school_urn", "new_address", "date_of_move",
    "absence_from",
)  # fmt: skip


class ReturnType(StrEnum):
    DELETION = "deletion"
    NEW_PUPIL = "new_pupil"


@dataclass(frozen=True)
class ReturnRow:
    """One pupil on a school's deletion (removal from roll) or new-pupil (admission) return."""

    row: int  # as a spreadsheet shows it: the header is row 1
    return_type: ReturnType
    school_urn: str
    surname: str
    forename: str
    date_of_birth: date | None
    sex: str = "U"  # F, M or U
    upn: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""  # as given; the service normalises it (a bad one is a warning)
    parent_name: str = ""
    parent_phone: str = ""
    parent_2_name: str = ""
    parent_2_phone: str = ""
    ground: str = ""  # regulation 9(1) ground letter a-o, deletion returns only
    deletion_date: date | None = None
    start_date: date | None = None
    new_school_urn: str = ""
    new_address: str = ""
    date_of_move: date | None = None
    # Set when the row came from a lost-pupil CTF (destination XXX): whereabouts unknown.
    lost_pupil: bool = False
    # Grounds (h), (i): the last day of the authorised leave, or the last day attended.
    absence_from: date | None = None


@dataclass(frozen=True)
class RowWarning:
    """Accepted, but the officer should see it (e.g. outside compulsory school age)."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass(frozen=True)
class ParsedFile:
    rows: tuple[ReturnRow, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowWarning, ...] = ()
    # Header facts from a CTF (source school) or the file kind, for the import record.
    source: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def valid_rows(self) -> tuple[ReturnRow, ...]:
        bad = {e.row for e in self.errors}
        return tuple(r for r in self.rows if r.row not in bad)


class UnreadableFile(Exception):
    """The file as a whole cannot be read (encoding, truncated or hostile XML, too large,
    missing columns). The message is shown to the user; the command exits 2."""
