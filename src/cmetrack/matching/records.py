"""What the scorer compares: one child's particulars, and how common each name is. No ORM."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from .names import first_name, normalise_name


@dataclass(frozen=True)
class PersonRecord:
    """What matching knows of one child (or one row of a file). Every field may be blank."""

    forenames: str = ""
    surname: str = ""
    date_of_birth: date | None = None
    sex: str = ""  # "F", "M"; anything else is "not known"
    upn: str = ""
    former_upns: tuple[str, ...] = ()
    postcode: str = ""  # current address
    previous_postcodes: tuple[str, ...] = ()
    other_names: tuple[tuple[str, str], ...] = ()  # (forenames, surname): aliases, spellings


@dataclass(frozen=True)
class TermFrequencies:
    """How common each normalised first name and surname is, as a share of the records (0 to 1)."""

    forenames: Mapping[str, float] = field(default_factory=dict)
    surnames: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Iterable[PersonRecord]) -> TermFrequencies:
        fn: dict[str, int] = {}
        sn: dict[str, int] = {}
        total = 0
        for record in records:
            total += 1
            if f := first_name(record.forenames):
                fn[f] = fn.get(f, 0) + 1
            if s := normalise_name(record.surname):
                sn[s] = sn.get(s, 0) + 1
        if not total:
            return cls()
        return cls({k: v / total for k, v in fn.items()}, {k: v / total for k, v in sn.items()})
