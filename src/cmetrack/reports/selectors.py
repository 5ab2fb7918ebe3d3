"""The termly CME return to the DfE: aggregate counts for a census date (DOMAIN.md §7).

Counts only true CME cases (not "at risk"), each child once. Length of time missing education
is measured from the date the child last attended a school when it is known, otherwise from the
referral date (the day the authority knew). Rules are in core/census.py; this module reads.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.cases.models import Case, Category
from cmetrack.cases.selectors import cases_visible_to
from cmetrack.core.census import SEX_LABELS, length_band, open_on, overlaps, year_group_on
from cmetrack.core.year_group import academic_year_start


@dataclass(frozen=True)
class Breakdown:
    title: str
    rows: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)


@dataclass(frozen=True)
class CmeReturn:
    census: date
    on_census: tuple[Breakdown, ...]
    on_census_total: int
    previous_year_label: str
    previous_year: tuple[Breakdown, ...]
    previous_year_total: int


def _breakdown(title: str, values: list[str], order: list[str] | None = None) -> Breakdown:
    counts = Counter(values)
    keys = order or sorted(counts)
    rows = tuple((key, counts.get(key, 0)) for key in keys)
    extra = tuple((k, n) for k, n in sorted(counts.items()) if k not in keys)
    return Breakdown(title, rows + extra)


def _one_case_per_child(cases: list[Case]) -> list[Case]:
    chosen: dict[int, Case] = {}
    for case in sorted(cases, key=lambda c: (c.referral_date, c.pk)):
        chosen.setdefault(case.child_id, case)
    return list(chosen.values())


def cme_return(*, user: AnyUser, census: date) -> CmeReturn | None:
    if not is_la_staff(user):
        return None
    year = academic_year_start(census)
    previous_start, previous_end = date(year - 1, 9, 1), date(year, 8, 31)
    candidates = list(
        cases_visible_to(user)
        .filter(category=Category.CME, referral_date__lte=census)
        .select_related("child", "primary_reason")
    )
    on_census = _one_case_per_child(
        [c for c in candidates if open_on(c.referral_date, c.closed_on, census)]
    )
    last_year = _one_case_per_child(
        [
            c
            for c in candidates
            if overlaps(c.referral_date, c.closed_on, previous_start, previous_end)
        ]
    )
    sexes = list(SEX_LABELS.values())
    census_breakdowns = (
        _breakdown("Sex", [SEX_LABELS.get(c.child.sex, "unknown") for c in on_census], sexes),
        _breakdown(
            "National curriculum year group",
            [year_group_on(c.child.date_of_birth, census) for c in on_census],
            ["Reception", *(f"Year {n}" for n in range(1, 12))],
        ),
        _breakdown(
            "Length of time missing education",
            [length_band(c.date_last_attended or c.referral_date, census) for c in on_census],
            ["12 weeks or less", "more than 12 weeks", "unknown"],
        ),
        _breakdown(
            "Primary reason",
            [c.primary_reason.dfe_code or c.primary_reason.label for c in on_census],
        ),
    )
    previous = (
        _breakdown("Sex", [SEX_LABELS.get(c.child.sex, "unknown") for c in last_year], sexes),
        _breakdown(
            "National curriculum year group (at the start of that year)",
            [year_group_on(c.child.date_of_birth, previous_start) for c in last_year],
            ["Reception", *(f"Year {n}" for n in range(1, 12))],
        ),
    )
    return CmeReturn(
        census=census,
        on_census=census_breakdowns,
        on_census_total=len(on_census),
        previous_year_label=f"{year - 1}/{year % 100:02d}",
        previous_year=previous,
        previous_year_total=len(last_year),
    )
