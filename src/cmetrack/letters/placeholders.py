"""Every placeholder a letter template may use, what it holds, and what to do when a case has
no value for it. The one list: the context builder fills exactly these names, an uploaded
template naming anything else is refused, and docs/letters.md prints this table.

No Django here: the catalogue is data, read by the context builder, the upload check and the
docs test alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    # What the officer can do when the case has no value ("Add a parent or carer").
    remedy: str
    # Authority details and today's date fill every letter and every blank form.
    authority: bool = False


_AUTHORITY_REMEDY = "Ask an administrator to set the authority's details"

PLACEHOLDERS: tuple[Placeholder, ...] = (
    # The authority: settings, never blank for a case.
    Placeholder("authority_name", "The council's name", _AUTHORITY_REMEDY, authority=True),
    Placeholder("authority_la_code", "The DfE LA number", _AUTHORITY_REMEDY, authority=True),
    Placeholder(
        "authority_address", "The CME team's postal address", _AUTHORITY_REMEDY, authority=True
    ),
    Placeholder("authority_phone", "The contact-centre number", _AUTHORITY_REMEDY, authority=True),
    Placeholder(
        "authority_email", "The CME team's email address", _AUTHORITY_REMEDY, authority=True
    ),
    Placeholder("today", "Today's date, e.g. 2 December 2026", _AUTHORITY_REMEDY, authority=True),
    # The child.
    Placeholder("child_full_name", "The child's legal forenames and surname", "Add the name"),
    Placeholder("child_forenames", "The child's legal forenames", "Add the child's forenames"),
    Placeholder("child_surname", "The child's legal surname", "Add the child's surname"),
    Placeholder(
        "child_date_of_birth", "Date of birth, e.g. 27 March 2015", "Add the date of birth"
    ),
    Placeholder("child_year_group", "National curriculum year by age", "Add the date of birth"),
    Placeholder("child_upn", "Unique pupil number", "Add the child's UPN"),
    Placeholder(
        "child_address",
        "The child's current address, one line to a line",
        "Add the child's current address",
    ),
    # The family.
    Placeholder(
        "parent_name",
        "The parent or carer the child lives with (first listed)",
        "Add a parent or carer",
    ),
    Placeholder("parent_relationship", "Their relationship to the child", "Add a parent or carer"),
    Placeholder(
        "parent_address",
        "Their address (the child's when theirs is not recorded)",
        "Add a parent or carer and an address",
    ),
    Placeholder("parent_phone", "Their phone number", "Add a phone number for the parent or carer"),
    Placeholder(
        "parents_all", "Every parent or carer, with relationship and phone", "Add a parent or carer"
    ),
    # School and case.
    Placeholder("school_name", "The school last attended", "Record the school last attended"),
    Placeholder("date_last_attended", "The date last attended", "Record the date last attended"),
    Placeholder("case_reference", "The case reference, e.g. CME-7K3P-Q9XW", "Open a case"),
    Placeholder("referral_date", "The date the referral was received", "Record the referral date"),
    Placeholder("referral_source", "Who referred, by kind (School, Health …)", "Record the source"),
    Placeholder("referrer", "Who referred: name, role and organisation", "Record the referrer"),
    Placeholder("missing_reason", "The main reason the child is missing education", "Add one"),
    Placeholder(
        "vulnerabilities",
        "The child's active vulnerability flags, or 'None recorded'",
        "Record the flags",
    ),
    Placeholder("officer_name", "The officer producing the letter, who signs it", "Add your name"),
    Placeholder("officer_email", "Their email address", "Add your email address"),
    Placeholder("assigned_officer", "The case's assigned officer", "Assign the case to an officer"),
    Placeholder(
        "removal_agreed_date",
        "The removal-from-roll date agreed after joint enquiries (grounds h and i)",
        "Record the agreed removal date on the school's deletion return",
    ),
    Placeholder(
        "removal_ground",
        "The ground of the deletion return with the agreed removal",
        "Record the agreed removal date on the school's deletion return",
    ),
    Placeholder("outcome", "The case's closure outcome", "Close the case with an outcome"),
    Placeholder("closed_on", "The date the case closed", "Close the case with an outcome"),
    Placeholder(
        "receiving_authority",
        "The authority a hand-over notification went to",
        "Record the hand-over to the other authority",
    ),
    Placeholder(
        "receiving_officer",
        "That authority's CME officer, when given",
        "Record the other authority's officer on the hand-over",
    ),
)

BY_NAME: dict[str, Placeholder] = {p.name: p for p in PLACEHOLDERS}
KNOWN = frozenset(BY_NAME)
AUTHORITY_ONLY = frozenset(p.name for p in PLACEHOLDERS if p.authority)
_ORDER = {p.name: i for i, p in enumerate(PLACEHOLDERS)}


def missing_message(names: list[str] | set[str] | frozenset[str]) -> str:
    """One sentence per missing placeholder, each naming it and what to do, in table order."""
    ordered = sorted(names, key=lambda n: (_ORDER.get(n, len(_ORDER)), n))
    parts = []
    for name in ordered:
        known = BY_NAME.get(name)
        if known is None:
            parts.append(
                f"The template uses {name}, which cmetrack does not know. "
                "Ask an administrator to correct the template."
            )
        else:
            parts.append(
                f"This letter needs {name}, which this case does not have. "
                f"{known.remedy}, or choose another letter."
            )
    return " ".join(parts)


def unknown_message(names: set[str] | frozenset[str], *, allowed: frozenset[str]) -> str:
    """For an upload: the placeholders it uses that this kind of template may not."""
    listed = ", ".join(sorted(names))
    if allowed == AUTHORITY_ONLY:
        return (
            f"This blank form uses {listed}, which a blank form cannot fill: it may use only "
            + ", ".join(sorted(AUTHORITY_ONLY))
        )
    return (
        f"This template uses {listed}, which cmetrack does not know. "
        "Use the names in the placeholders table (docs/letters.md)"
    )
