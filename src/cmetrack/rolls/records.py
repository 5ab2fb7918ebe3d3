"""A pupil on a roll as the scorer compares them, and where they are in words: one home for
both, used by the intake panel (rolls/matching.py) and the cross-checks."""

from __future__ import annotations

from cmetrack.core.school_age import long_date
from cmetrack.matching.records import PersonRecord

from .models import RollEntry, SchoolRoll
from .years import year_label


def entry_record(entry: RollEntry) -> PersonRecord:
    # A preferred name is one more name the child may be known by elsewhere.
    preferred = (
        ((entry.preferred_forename or entry.forename, entry.preferred_surname or entry.surname),)
        if entry.preferred_forename or entry.preferred_surname
        else ()
    )
    return PersonRecord(
        forenames=" ".join(p for p in (entry.forename, entry.middle_names) if p),
        surname=entry.surname,
        date_of_birth=entry.date_of_birth,
        sex=entry.sex if entry.sex in ("F", "M") else "",
        upn=entry.upn,
        former_upns=(entry.former_upn,) if entry.former_upn else (),
        postcode=entry.postcode,
        other_names=preferred,
    )


def entry_where(entry: RollEntry, roll: SchoolRoll) -> str:
    """'Year 7 at Oak High School (roll of 1 October 2026)'."""
    school = roll.school_name or roll.school_key
    return f"{year_label(entry.year_group)} at {school} (roll of {long_date(roll.load.as_of)})"
