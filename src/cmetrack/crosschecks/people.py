"""Who a cross-check is about, and who it looks for them among: one shape for a pupil on a
roll, a child on a list, a child on the CME or home-education register, a new-pupil return.
Pure: no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cmetrack.core.upn import is_valid_upn, normalise_upn
from cmetrack.matching.names import first_name, normalise_name
from cmetrack.matching.records import PersonRecord


@dataclass(frozen=True)
class Person:
    forenames: str
    surname: str
    date_of_birth: date | None = None
    sex: str = ""
    upn: str = ""
    former_upn: str = ""
    postcode: str = ""
    address: str = ""
    other_names: tuple[tuple[str, str], ...] = ()
    # Where this record is, for the officer: "Year 6 at Oak Primary (roll of 15 July 2026)".
    where: str = ""
    # What it is, for counting what a run found: "roll", "new_pupil", "cme", "ehe", "deletion".
    source: str = ""
    school_urn: str = ""
    year_group: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def identity(self) -> str:
        return identity_of(self.upn, self.forenames, self.surname, self.date_of_birth)

    @property
    def name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()

    def record(self) -> PersonRecord:
        return PersonRecord(
            forenames=self.forenames,
            surname=self.surname,
            date_of_birth=self.date_of_birth,
            sex=self.sex if self.sex in ("F", "M") else "",
            upn=self.upn,
            former_upns=(self.former_upn,) if self.former_upn else (),
            postcode=self.postcode,
            other_names=self.other_names,
        )


def identity_of(upn: str, forenames: str, surname: str, dob: date | None) -> str:
    """The key a dismissal is remembered by: the UPN when it is a valid one (it follows the
    child from school to school), else the first name, surname and date of birth."""
    normal = normalise_upn(upn or "")
    if normal and is_valid_upn(normal):
        return f"upn:{normal}"
    return (
        f"name:{first_name(forenames)}|{normalise_name(surname)}|{dob.isoformat() if dob else ''}"
    )
