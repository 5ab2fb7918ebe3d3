"""The contract between reading a register file and importing it.

Reading (`reading/`) turns a spreadsheet into a `Sheet` (header and text cells), proposes a
`ColumnMapping` (which column holds which `RegisterField`) and, for the coded fields, a
`CodeMapping` (each distinct value found in the file onto one of cmetrack's codes); the officer
confirms both; then every row becomes a `RegisterRow` or row errors. No database there: the
lists of codes come in as `Choice`s from the services, which check the rows against the
register (children already held, schools) and write them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cmetrack.core.row_errors import RowError
from cmetrack.referrals.importing.rows import RowWarning  # one shape for every importer

__all__ = [
    "CODED_FIELDS",
    "Choice",
    "CodeMapping",
    "ColumnMapping",
    "HistoryNote",
    "RegisterField",
    "RegisterRow",
    "RowError",
    "RowWarning",
    "Sheet",
    "UnreadableRegister",
]


class RegisterField(StrEnum):
    """What a column of an existing register can hold. A register may give the name in one
    merged column (FULL_NAME: "SMITH, John", "John Smith") or in parts."""

    LEGACY_REFERENCE = "legacy_reference"  # the old system's case or child id
    FULL_NAME = "full_name"
    FORENAMES = "forenames"
    MIDDLE_NAMES = "middle_names"
    SURNAME = "surname"
    DATE_OF_BIRTH = "date_of_birth"
    SEX = "sex"
    UPN = "upn"
    ADDRESS = "address"  # one merged address cell, or the first line
    ADDRESS_LINE_2 = "address_line_2"
    TOWN = "town"
    POSTCODE = "postcode"
    PARENT_NAME = "parent_name"
    PARENT_PHONE = "parent_phone"
    REFERRAL_DATE = "referral_date"
    REFERRAL_SOURCE = "referral_source"  # coded: cases.ReferralSource
    REFERRER = "referrer"  # free text: who referred
    REASON = "reason"  # coded: cases.MissingReason codes
    STATUS = "status"  # coded: cases.status.Status
    OUTCOME = "outcome"  # coded: cases.Outcome
    CLOSED_ON = "closed_on"
    RISK = "risk"  # coded: cases.RiskLevel
    LAST_SCHOOL = "last_school"  # a URN, or a school's name
    DATE_LAST_ATTENDED = "date_last_attended"
    NOTES = "notes"  # history notes: one cell, possibly many dated lines


# The fields whose values are mapped onto cmetrack's lists in the code-mapping step.
CODED_FIELDS = (
    RegisterField.REFERRAL_SOURCE,
    RegisterField.REASON,
    RegisterField.STATUS,
    RegisterField.OUTCOME,
    RegisterField.RISK,
)

# Column index (0-based, into Sheet.header) for each field the officer mapped; a field absent
# from the mapping is not in the file.
ColumnMapping = dict[RegisterField, int]

# For each coded field: the file's value (as `reading.code_key` normalises it) -> cmetrack code
# ("" = the officer chose "no value": the row takes the field's default, or, for a required one,
# gets a row error).
CodeMapping = dict[RegisterField, dict[str, str]]


@dataclass(frozen=True)
class Choice:
    """One entry of a cmetrack list a coded value can be mapped onto."""

    code: str
    label: str


@dataclass(frozen=True)
class Sheet:
    """A register file read as text: the header and every non-blank row's cells. `row_numbers`
    are what a spreadsheet shows (the header is row 1; blank rows are skipped but counted)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...]
    source: str  # "csv" or "xlsx"


@dataclass(frozen=True)
class HistoryNote:
    """One line of the old system's case history, kept on the new case's timeline."""

    text: str
    on: date | None = None  # the date written with it, if any


@dataclass(frozen=True)
class RegisterRow:
    """One child's case on the old register, mapped onto cmetrack's fields and codes."""

    row: int
    forenames: str
    surname: str
    date_of_birth: date | None
    referral_date: date
    reason_code: str  # a MissingReason code
    referral_source: str  # a ReferralSource value
    status: str  # a Status value
    legacy_reference: str = ""
    middle_names: str = ""
    sex: str = "U"
    upn: str = ""  # normalised; a bad one is a warning and is dropped
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    parent_name: str = ""
    parent_phone: str = ""
    referrer: str = ""
    outcome: str = ""  # an Outcome value; set if and only if status is closed
    closed_on: date | None = None
    risk_level: str = "medium"
    last_school: str = ""  # a URN, or a name the services look up
    date_last_attended: date | None = None
    notes: tuple[HistoryNote, ...] = field(default_factory=tuple)


class UnreadableRegister(Exception):
    """The file as a whole cannot be read (encoding, not a spreadsheet, too large, hostile,
    no header). The message is shown to the officer; nothing is written."""
