"""A synthetic authority's school rolls last summer and this autumn, with the truth about each
leaver, for the cross-check tests and the transition benchmark. Deterministic for a seed.

Leavers (the top year of each primary, infant and junior school) each get a fate:
- `moved_on`: on a next-phase school's autumn roll with the same UPN;
- `renamed`: there too with the same UPN but a new surname (a family change of name);
- `new_upn`: there with no UPN carried over (a new school that allocated its own), a typing
  error in the first name, the same date of birth and postcode: found only by the score;
- `missing`: on no autumn roll (the candidates a transition check must find);
- `twin_missing`: one of twins (same surname, date of birth and postcode) missing while the
  other is on roll: must not be taken for the twin;
- `left_area`, `home_educated`, `cme_case`: on no roll, but known elsewhere (the test writes
  a deletion return with a destination, an EHE record, an open case).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from cmetrack.demo.people import POPULAR, given_name, sefton_postcode, surname, upn_for
from cmetrack.matching.names import default_equivalents, first_name
from cmetrack.rolls.reading import RollPupil

SUMMER = date(2026, 7, 15)
AUTUMN = date(2026, 10, 1)  # the autumn census day
LA = "343"

PHASES = {
    "primary": ("R", "1", "2", "3", "4", "5", "6"),
    "infant": ("R", "1", "2"),
    "junior": ("3", "4", "5", "6"),
    "secondary": ("7", "8", "9", "10", "11"),
}
NEXT_PHASE = {"primary": "secondary", "junior": "secondary", "infant": "junior"}
ELSEWHERE_FATES = ("left_area", "home_educated", "cme_case")


@dataclass(frozen=True)
class SchoolSpec:
    urn: str
    estab: str
    name: str
    phase: str

    @property
    def laestab(self) -> str:
        return f"{LA}{self.estab}"


@dataclass
class Cohort:
    schools: list[SchoolSpec]
    summer: list[RollPupil]
    autumn: list[RollPupil]
    fates: dict[int, str] = field(default_factory=dict)  # summer index of a leaver -> fate

    def leavers(self, fate: str | Sequence[str]) -> list[RollPupil]:
        wanted = {fate} if isinstance(fate, str) else set(fate)
        return [self.summer[i] for i, f in self.fates.items() if f in wanted]

    def of(self, school: SchoolSpec, which: str) -> list[RollPupil]:
        pupils = self.summer if which == "summer" else self.autumn
        return [p for p in pupils if p.school_urn == school.urn]


def _year_number(year_group: str) -> int:
    return 0 if year_group == "R" else int(year_group)


def _dob(rng: random.Random, year_group: str, on: date) -> date:
    """A birth date putting the child in `year_group` in the school year containing `on`."""
    start = on.year if on.month >= 9 else on.year - 1
    born_from = date(start - 5 - _year_number(year_group), 9, 1)
    return date.fromordinal(born_from.toordinal() + rng.randrange(365))


def _distinct(a: str, b: str) -> bool:
    """Two first names no one would take for one (not equal, not a short form of the other)."""
    eq = default_equivalents()
    return not (eq.related(first_name(a)) & eq.related(first_name(b)))


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name + "e"
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # two letters swapped


def authority(
    *,
    seed: int = 1,
    primaries: int = 3,
    infants: int = 1,
    juniors: int = 1,
    secondaries: int = 2,
    per_year: int = 8,
    secondary_per_year: int | None = None,
    fate_weights: dict[str, float] | None = None,
) -> Cohort:
    rng = random.Random(seed)  # noqa: S311 # nosec B311 (synthetic test data, not security)
    schools: list[SchoolSpec] = []
    for phase, count in (
        ("primary", primaries),
        ("infant", infants),
        ("junior", juniors),
        ("secondary", secondaries),
    ):
        for _ in range(count):
            n = len(schools) + 1
            schools.append(
                SchoolSpec(
                    f"{700000 + n}",
                    f"{2000 + n if phase != 'secondary' else 4000 + n}",
                    f"{phase.title()} School {n}",
                    phase,
                )
            )
    weights = fate_weights or {
        "moved_on": 0.70,
        "renamed": 0.05,
        "new_upn": 0.07,
        "missing": 0.08,
        "twin_missing": 0.02,
        "left_area": 0.03,
        "home_educated": 0.03,
        "cme_case": 0.02,
    }
    fates_list, fate_w = list(weights), list(weights.values())
    cohort = Cohort(schools, [], [])
    serial = 0
    by_phase = {p: [s for s in schools if s.phase == p] for p in PHASES}

    def pupil(school: SchoolSpec, year: str, **changes: object) -> RollPupil:
        nonlocal serial
        serial += 1
        sex = rng.choice("FM")
        dob = _dob(rng, year, SUMMER)
        base = RollPupil(
            position=0,
            upn=upn_for(la=LA, estab=school.estab, year=dob.year + 5, serial=serial % 1000),
            former_upn="",
            surname=surname(rng, POPULAR),
            forename=given_name(rng, sex, POPULAR),
            middle_names="",
            preferred_surname="",
            preferred_forename="",
            date_of_birth=dob,
            sex=sex,
            year_group=year,
            entry_date=date(SUMMER.year - 1 - _year_number(year), 9, 3),
            leaving_date=None,
            enrolment_status="C",
            postcode=sefton_postcode(rng)[0],
            address="",
            school_urn=school.urn,
            school_laestab=school.laestab,
        )
        return dataclasses.replace(base, **changes)  # type: ignore[arg-type]

    for school in schools:
        years = PHASES[school.phase]
        size = (secondary_per_year or per_year) if school.phase == "secondary" else per_year
        for year in years:
            for _ in range(size):
                p = pupil(school, year)
                cohort.summer.append(p)
                top = year == years[-1] and school.phase in NEXT_PHASE
                if not top:
                    if year != "11":  # Year 11 leave compulsory school age
                        cohort.autumn.append(
                            dataclasses.replace(p, year_group=str(_year_number(year) + 1))
                        )
                    continue
                index = len(cohort.summer) - 1
                fate = rng.choices(fates_list, fate_w)[0]
                if fate == "twin_missing":
                    twin = pupil(school, year)
                    while not _distinct(twin.forename, p.forename):  # twins have two names
                        twin = dataclasses.replace(
                            twin, forename=given_name(rng, twin.sex, POPULAR)
                        )
                    twin = dataclasses.replace(
                        twin,
                        surname=p.surname,
                        date_of_birth=p.date_of_birth,
                        postcode=p.postcode,
                    )
                    cohort.summer.append(twin)
                    cohort.fates[len(cohort.summer) - 1] = "moved_on"
                    _move(cohort, twin, by_phase[NEXT_PHASE[school.phase]], rng)
                cohort.fates[index] = fate
                if fate in ("moved_on", "renamed", "new_upn"):
                    moved = p
                    if fate == "renamed":
                        moved = dataclasses.replace(p, surname=surname(rng, POPULAR))
                    if fate == "new_upn":
                        moved = dataclasses.replace(p, upn="", forename=_typo(rng, p.forename))
                    _move(cohort, moved, by_phase[NEXT_PHASE[school.phase]], rng)
        # A new Reception class in the autumn.
        if "R" in years:
            for _ in range(per_year):
                new = pupil(school, "R", date_of_birth=_dob(rng, "R", AUTUMN))
                cohort.autumn.append(new)
    cohort.summer = [dataclasses.replace(p, position=i + 2) for i, p in enumerate(cohort.summer)]
    cohort.autumn = [dataclasses.replace(p, position=i + 2) for i, p in enumerate(cohort.autumn)]
    return cohort


def _move(cohort: Cohort, p: RollPupil, to: list[SchoolSpec], rng: random.Random) -> None:
    school = rng.choice(to)
    cohort.autumn.append(
        dataclasses.replace(
            p,
            school_urn=school.urn,
            school_laestab=school.laestab,
            year_group=str(_year_number(p.year_group) + 1),
            entry_date=date(AUTUMN.year, 9, 4),
        )
    )
