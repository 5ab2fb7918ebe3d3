"""Which column of a register holds which `RegisterField`: a guess from the headings, and what
a mapping still lacks before rows can be read.

Headings are compared by `heading_key`: case, spaces, punctuation and a trailing "*" do not
count, so "D.O.B", "dob" and "D O B" are one heading. The aliases are the headings councils'
own CME spreadsheets commonly use. Vendor exports: no public list of the columns of a Capita
One (One Education / One CME) CME export, or of a Liquidlogic EHM/LCS one, was found (searched
the stored public docs and pages); the only One term used is "Base" / "Base Name" for a
school, from One's published help (onepublications.com, One Education B2B "Data Processing
Rules"). No other heading here claims to be a vendor's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cmetrack.referrals.importing.values import clean_text

from ..rows import ColumnMapping, RegisterField

F = RegisterField

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def heading_key(value: str) -> str:
    """A heading with case, spacing and punctuation removed: "Child's D.O.B *" -> "childsdob"."""
    return _NOT_ALNUM.sub("", clean_text(value).casefold().replace("&", "and"))


# Alias -> field. Written as people write them; keyed through heading_key below.
_ALIASES: dict[RegisterField, tuple[str, ...]] = {
    F.LEGACY_REFERENCE: (
        "ID",
        "Ref",
        "Reference",
        "Ref no",
        "Reference number",
        "Case ID",
        "Case ref",
        "Case reference",
        "Case number",
        "Case no",
        "CME ID",
        "CME ref",
        "CME reference",
        "CME number",
        "Child ID",
        "Person ID",
        "Client ID",
        "Record ID",
        "Referral ID",
        "Referral number",
        "Legacy reference",
    ),
    F.FULL_NAME: (
        "Name",
        "Full name",
        "Child's name",
        "Child name",
        "Childs full name",
        "Pupil name",
        "Pupil",
        "Child",
        "Young person",
        "Young person's name",
        "Name of child",
        "Student name",
        "Learner name",
    ),
    F.FORENAMES: (
        "Forename",
        "Forenames",
        "First name",
        "First names",
        "Given name",
        "Given names",
        "Christian name",
        "Legal forename",
        "Child forename",
        "Child first name",
    ),
    F.MIDDLE_NAMES: ("Middle name", "Middle names", "Other names", "Second name"),
    F.SURNAME: (
        "Surname",
        "Family name",
        "Last name",
        "Surname/Family name",
        "Legal surname",
        "Child surname",
        "Child last name",
    ),
    F.DATE_OF_BIRTH: (
        "DOB",
        "D.O.B",
        "Date of birth",
        "Birth date",
        "Birthdate",
        "Child DOB",
        "Child's date of birth",
        "Child date of birth",
    ),
    F.SEX: ("Sex", "Gender", "Legal sex", "M/F"),
    F.UPN: ("UPN", "Unique pupil number", "Pupil number", "Child UPN"),
    F.ADDRESS: (
        "Address",
        "Home address",
        "Last known address",
        "Current address",
        "Address line 1",
        "Address 1",
        "Street",
        "House and street",
        "Address of child",
    ),
    F.ADDRESS_LINE_2: ("Address line 2", "Address 2", "Locality", "District", "Area"),
    F.TOWN: ("Town", "City", "Town/City", "Post town"),
    F.POSTCODE: ("Postcode", "Post code", "Postal code", "PC"),
    F.PARENT_NAME: (
        "Parent",
        "Parent name",
        "Parents",
        "Parent/carer",
        "Parent/carer name",
        "Parent or carer",
        "Carer",
        "Carer name",
        "Main contact",
        "Contact name",
        "Parent/guardian",
    ),
    F.PARENT_PHONE: (
        "Phone",
        "Telephone",
        "Tel",
        "Phone number",
        "Telephone number",
        "Contact number",
        "Contact phone",
        "Parent phone",
        "Parent telephone",
        "Mobile",
        "Parent mobile",
    ),
    F.REFERRAL_DATE: (
        "Date of referral",
        "Date referred",
        "Referral date",
        "Referred on",
        "Date reported",
        "Date received",
        "Referral received",
        "Date of notification",
        "Notified",
        "Date opened",
        "Open date",
        "Start date",
        "Case opened",
        "Date added",
        "Referred",
    ),
    F.REFERRAL_SOURCE: (
        "Referral source",
        "Source",
        "Source of referral",
        "Referred by agency",
        "Referrer type",
        "Agency",
        "Referring agency",
    ),
    F.REFERRER: ("Referrer", "Referred by", "Referrer name", "Person referring", "Reported by"),
    F.REASON: (
        "Reason",
        "Reason for referral",
        "Referral reason",
        "CME reason",
        "Reason missing",
        "Reason for CME",
        "Reason child missing education",
        "Category",
    ),
    F.STATUS: ("Status", "Case status", "Current status", "CME status", "Stage", "Open/closed"),
    F.OUTCOME: (
        "Outcome",
        "Closure reason",
        "Reason for closure",
        "Closing reason",
        "Close reason",
        "End reason",
        "Case outcome",
        "Result",
    ),
    F.CLOSED_ON: (
        "Date closed",
        "Closed",
        "Closed on",
        "Closure date",
        "Date of closure",
        "End date",
        "Case closed",
        "Closed date",
    ),
    F.RISK: ("Risk", "Risk level", "RAG", "RAG rating", "Priority", "Risk rating"),
    F.LAST_SCHOOL: (
        "Last known school",
        "School",
        "Last school",
        "Previous school",
        "School name",
        "Last school attended",
        "Former school",
        "URN",
        "School URN",
        "Last school URN",
        "Base",
        "Base name",  # One's word for a school (see the module docstring)
    ),
    F.DATE_LAST_ATTENDED: (
        "Date last attended",
        "Last attended",
        "Last attendance",
        "Last date of attendance",
        "Date left",
        "Left school",
        "Date off roll",
        "Off roll date",
    ),
    F.NOTES: (
        "Notes",
        "Case notes",
        "Comments",
        "Comment",
        "History",
        "Case history",
        "Actions",
        "Action taken",
        "Actions taken",
        "Updates",
        "Progress notes",
        "Notes/actions",
    ),
}

ALIASES: dict[str, RegisterField] = {
    heading_key(alias): field for field, aliases in _ALIASES.items() for alias in aliases
}

_NAME_PARTS = (F.FORENAMES, F.SURNAME)


def guess_mapping(header: Sequence[str]) -> ColumnMapping:
    """The fields the headings name, each onto the first column that names it. A merged name
    column is dropped when separate forename and surname columns are there too."""
    mapping: ColumnMapping = {}
    for index, heading in enumerate(header):
        field = ALIASES.get(heading_key(heading))
        if field is not None and field not in mapping:
            mapping[field] = index
    if F.FULL_NAME in mapping and all(part in mapping for part in _NAME_PARTS):
        del mapping[F.FULL_NAME]
    return mapping


def mapping_problems(mapping: ColumnMapping, header: Sequence[str] | None = None) -> list[str]:
    """What stops rows being read with this mapping, one sentence each for the officer; [] when
    it will do. With the header, a column index outside it is a problem too."""
    problems: list[str] = []

    def column(index: int) -> str:
        if header is not None and 0 <= index < len(header) and header[index].strip():
            return f"column {index + 1} ({clean_text(header[index])!r})"
        return f"column {index + 1}"

    has_full = F.FULL_NAME in mapping
    has_parts = all(part in mapping for part in _NAME_PARTS)
    if not has_full and not has_parts:
        if F.FORENAMES in mapping or F.SURNAME in mapping:
            missing = "surname" if F.FORENAMES in mapping else "forenames"
            problems.append(
                f"Choose the column with the child's {missing}, or one column with the whole name."
            )
        else:
            problems.append(
                "Choose the column with the child's name: one column with the whole name, or "
                "the forenames and surname columns."
            )
    if F.REFERRAL_DATE not in mapping:
        problems.append(
            "Choose the column with the referral date: every case needs the date it began."
        )
    by_column: dict[int, list[RegisterField]] = {}
    for field, index in mapping.items():
        by_column.setdefault(index, []).append(field)
        if index < 0 or (header is not None and index >= len(header)):
            problems.append(f"{_label(field)} is mapped to {column(index)}, which is not there.")
    for index, fields in sorted(by_column.items()):
        if len(fields) > 1:
            names = " and ".join(_label(f) for f in fields)
            problems.append(f"{column(index)} is chosen for both {names}: choose one.")
    return problems


def _label(field: RegisterField) -> str:
    return field.value.replace("_", " ").capitalize()
