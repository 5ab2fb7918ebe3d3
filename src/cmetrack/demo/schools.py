"""The demo's schools register: invented schools in Sefton, loaded through the GIAS importer."""

from __future__ import annotations

import csv
import io
import random
from datetime import date

from cmetrack.children.models import SenStatus
from cmetrack.core.year_group import national_curriculum_year
from cmetrack.schools.gias import (
    COL_ESTABLISHMENT_NUMBER,
    COL_LA_CODE,
    COL_LA_NAME,
    COL_NAME,
    COL_PHASE,
    COL_POSTCODE,
    COL_STATUS,
    COL_TYPE,
    COL_URN,
)
from cmetrack.schools.models import School
from cmetrack.schools.services import schools_import_gias

from .errors import SeedError
from .people import sefton_postcode
from .plans import ChildPlan
from .vocabulary import (
    HOLY,
    LA_CODE,
    LA_NAME,
    LADY_OF,
    PLACE_FEATURES,
    SAINTS,
    SCHOOL_PLACES,
    TREES,
)

MAX_SCHOOLS = 600
GIAS_COLUMNS = (
    COL_URN,
    COL_LA_CODE,
    COL_LA_NAME,
    COL_ESTABLISHMENT_NUMBER,
    COL_NAME,
    COL_PHASE,
    COL_TYPE,
    COL_STATUS,
    COL_POSTCODE,
)


def make_schools(rng: random.Random, count: int) -> list[School]:
    """`count` schools in a borough's mix of phases, written as a GIAS extract would load them."""
    names: dict[str, bool] = {}
    estabs: dict[str, bool] = {}
    rows: list[tuple[str, ...]] = []
    urn = 790000 + rng.randrange(1000)
    # A metropolitan borough's mix by proportion, at least one of each phase; the first
    # four are one of each, so the closures below never remove a whole phase.
    mix = {"Secondary": 0.16, "Special": 0.06, "All-through": 0.02}
    extra = {phase: max(0, round(count * share) - 1) for phase, share in mix.items()}
    rest = ["Primary"] * max(0, count - 4 - sum(extra.values()))
    rest += [phase for phase, n in extra.items() for _ in range(n)]
    rng.shuffle(rest)
    phases = ["Primary", "Secondary", "Special", "All-through", *rest][:count]
    for i, phase in enumerate(phases):
        for attempt in range(100):
            name, type_name, estab_band = _school_name(rng, phase)
            if attempt >= 50:
                # The word lists ran short for this phase: name it after its district too.
                name = f"{name}, {rng.choice(SCHOOL_PLACES)}"
            if name not in names:
                break
        names[name] = True
        while True:
            estab = f"{estab_band + rng.randrange(1000):04d}"
            if estab not in estabs:
                estabs[estab] = True
                break
        urn += rng.randint(3, 400)
        # A few closed or closing schools, as in any GIAS extract (never the first four).
        roll = rng.random() if i >= 4 else 1.0
        status_name = "Open"
        if roll < 0.04:
            status_name = "Closed"
        elif roll < 0.06:
            status_name = "Open, but proposed to close"
        postcode = sefton_postcode(rng)[0]
        rows.append(
            (str(urn), LA_CODE, LA_NAME, estab, name, phase, type_name, status_name, postcode)
        )
    _load(rows)
    return list(School.objects.filter(urn__in=[row[0] for row in rows]).order_by("urn"))


def _load(rows: list[tuple[str, ...]]) -> None:
    """Through the schools register's own import service, as an authority loads GIAS."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(GIAS_COLUMNS)
    writer.writerows(rows)
    result = schools_import_gias(path_or_file=text.getvalue().encode(), commit=True)
    if not result.committed or result.created != len(rows):  # pragma: no cover - a demo bug
        problems = "; ".join(str(error) for error in result.errors[:3])
        raise SeedError(f"The demo schools did not load: {problems or 'already present'}.")


def _school_name(rng: random.Random, phase: str) -> tuple[str, str, int]:
    """(name, type of establishment, first establishment number of its DfE band)."""
    place = rng.choice(SCHOOL_PLACES)
    feature = rng.choice(PLACE_FEATURES)
    saint = rng.choice(SAINTS)
    if phase == "Primary":
        style = rng.choices(range(7), weights=[4, 3, 2, 3, 4, 1, 1])[0]
        aided, controlled = "Voluntary aided school", "Voluntary controlled school"
        lady = rng.choice(LADY_OF)
        options = [
            (f"St {saint}'s Catholic Primary School", aided, 3000),
            (f"St {saint}'s Church of England Primary School", controlled, 3000),
            (f"{place} {feature} Primary", "Academy converter", 2000),
            (f"{place} Community Primary School", "Community school", 2000),
            (f"{place} {feature} Primary School", "Community school", 2000),
            (f"Our Lady of {lady} Catholic Primary School", aided, 3000),
            (f"{rng.choice(HOLY)} C of E Primary School", controlled, 3000),
        ]
        return options[style]
    if phase == "Secondary":
        style = rng.choices(range(5), weights=[4, 3, 2, 2, 1])[0]
        options = [
            (f"{place} High School", "Community school", 4000),
            (f"{place} Academy", "Academy sponsor led", 4000),
            (f"St {saint}'s Catholic High School", "Voluntary aided school", 4600),
            (f"{place} {feature} Community College", "Foundation school", 4000),
            (f"{rng.choice(HOLY)} Catholic College", "Academy converter", 4600),
        ]
        return options[style]
    if phase == "Special":
        tree = rng.choice(TREES)
        kind = rng.choice(["Park", "House", "Field", "Bank", "Lodge"])
        return f"{tree} {kind} School", "Community special school", 7000

    return f"{place} All-Through Academy", "Academy sponsor led", 4000


def school_for_users(schools: list[School]) -> School:
    """The school the demo's school user works at: the first open secondary."""
    open_secondary = [s for s in schools if s.is_open and s.phase == "Secondary"]
    return (open_secondary or [s for s in schools if s.is_open] or schools)[0]


class SchoolChooser:
    """Which school a child attended, or starts at, by age and needs."""

    def __init__(self, rng: random.Random, *, today: date, schools: list[School]) -> None:
        self.rng = rng
        self.today = today
        self.open_schools = [s for s in schools if s.is_open] or schools
        self.user_school = school_for_users(schools)

    def for_child(self, child: ChildPlan, *, prefer_user_school: bool = False) -> School | None:
        rng = self.rng
        year = national_curriculum_year(child.dob, self.today) if child.dob else 8
        if year < 0:
            return None
        phase = "Primary" if year <= 6 else "Secondary"
        if child.sen_status == SenStatus.EHCP and rng.random() < 0.4:
            phase = "Special"
        if prefer_user_school and phase == "Secondary" and rng.random() < 0.08:
            return self.user_school
        pool = [s for s in self.open_schools if s.phase in (phase, "All-through")]
        return rng.choice(pool or self.open_schools)
