"""What a school sends on a deletion or new-pupil return, as plain values.

The same objects come from the web form, from a row of an imported file (CSV, XLSX, CTF) and,
later, from the API, and the same check (`referrals.checks`) judges them. Pure Python: the
parsers build these without touching Django, so the schools are only named for type checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmetrack.schools.models import School


@dataclass(frozen=True)
class ChildParticulars:
    forenames: str
    surname: str
    date_of_birth: date | None = None
    sex: str = "U"
    upn: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class DeletionData:
    child: ChildParticulars
    # None only while a parser checks a row: the import service looks the school up by URN.
    school: School | None
    ground: str
    deletion_date: date | None
    emergency_phone: str = ""
    parent_names: str = ""
    parent_address: str = ""
    # A second parent the pupil normally lives with: regulation 13(4)(d) asks a number for each.
    parent_2_name: str = ""
    parent_2_phone: str = ""
    new_address: str = ""
    new_address_from: date | None = None
    new_school: School | None = None
    new_school_name: str = ""
    new_school_start: date | None = None
    lost_pupil: bool = False
    # Grounds (h), (i): day 0 of the waiting period (the ground's `waiting_from_label`).
    absence_from: date | None = None
    # A parser knows the new school only by URN until the import service looks it up.
    new_school_urn: str = ""

    @property
    def names_new_school(self) -> bool:
        return bool(self.new_school or self.new_school_name.strip() or self.new_school_urn)


@dataclass(frozen=True)
class NewPupilData:
    child: ChildParticulars
    school: School | None
    start_date: date | None
    parent_names: str = ""
    parent_phone: str = ""
    previous_school: str = ""
