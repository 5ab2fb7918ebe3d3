"""Patterns per school: the figures a CME team reads to spot off-rolling (issue 9).

For one academic year, each school's deletion returns by ground and term, its late returns (how
many, and the median school days late), its (h)/(i) removals and how many came before the LA
agreed joint enquiries were complete, destinations awaiting confirmation and lapsed, "possible
off-rolling" flags, and its new-pupil returns.

Reads only. Every selector takes the acting user: the authority's CME team (officers, managers,
administrators) gets the figures, as with the termly return (`reports`, `la_staff_required`);
anyone else gets None. A school user gets nothing either, its own school included: this is the
authority's view of its schools.

Everything is counted in the database (values + Count, one grouped query per figure family),
so the number of queries is the same for one school or a hundred. A return belongs to the year
of its event: the deletion date for a deletion return, the start date for a new-pupil return.

Terms: `school_calendar()` exposes school days, not terms, so the columns come from the
authority's own term rows (`schooldays.TermDate`, no school) for the year. A term's column runs
from its first day to the day before the next term starts (the holiday after a term counts with
it; the first term's column starts on 1 September). With no term rows for the year the figures
are for the whole year and `terms_loaded` is False, for the page to say so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.core.grounds import GROUNDS, NOT_STATED
from cmetrack.core.school_calendar import academic_year_bounds, academic_year_label
from cmetrack.core.year_group import academic_year_start
from cmetrack.schooldays.models import TermDate
from cmetrack.schooldays.selectors import academic_years_loaded
from cmetrack.schools.models import School

from .checks.deletion import OFF_ROLLING_WARNING
from .models import DeletionReturn, NewPupilReturn

# The words the deletion check ends its ground (l) warning with (`checks/deletion.py`); a
# return carrying them in `intake_warnings` is counted as a possible off-rolling flag.

# (h) and (i): only after joint enquiries by the school and the LA (read from the table).
JOINT_ENQUIRY_GROUNDS = tuple(g.code for g in GROUNDS.values() if g.needs_joint_enquiries)


@dataclass(frozen=True)
class TermColumn:
    """One column of the ground-by-term table: `start` to `end` inclusive."""

    index: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class SchoolFigures:
    school: School
    deletions: int = 0
    late: int = 0
    median_days_late: float | None = None
    joint_enquiry: int = 0  # (h) and (i)
    before_agreement: int = 0  # (h)/(i) removed before the LA agreed
    awaiting_destination: int = 0
    lapsed_destination: int = 0
    off_rolling: int = 0
    new_pupils: int = 0

    @property
    def attention(self) -> int:
        """The list's order: the four signals added together, most first."""
        return self.late + self.before_agreement + self.lapsed_destination + self.off_rolling


@dataclass(frozen=True)
class GroundRow:
    code: str
    label: str
    counts: tuple[int, ...]  # one per term column

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class SchoolPatterns:
    year: int
    terms: tuple[TermColumn, ...]
    terms_loaded: bool
    schools: tuple[SchoolFigures, ...]
    years: tuple[int, ...]  # academic years the filter offers, newest first

    @property
    def label(self) -> str:
        return academic_year_label(self.year)


@dataclass(frozen=True)
class SchoolPatternDetail:
    year: int
    terms: tuple[TermColumn, ...]
    terms_loaded: bool
    figures: SchoolFigures
    grounds: tuple[GroundRow, ...]  # grounds with at least one return, in the table's order
    term_totals: tuple[int, ...]
    late_by_term: tuple[int, ...]
    years: tuple[int, ...]

    @property
    def label(self) -> str:
        return academic_year_label(self.year)

    @property
    def school(self) -> School:
        return self.figures.school


def current_academic_year() -> int:
    return academic_year_start(timezone.localdate())


def school_patterns(*, user: AnyUser, year: int | None = None) -> SchoolPatterns | None:
    """Every school with a deletion or new-pupil return in the academic year, most in need of
    attention first (then by name). None for anyone outside the CME team."""
    if not is_la_staff(user):
        return None
    year = current_academic_year() if year is None else year
    terms, loaded = term_columns(year)
    figures = _figures(year, school=None)
    ordered = sorted(figures, key=lambda f: (-f.attention, f.school.name.casefold(), f.school.urn))
    return SchoolPatterns(
        year=year, terms=terms, terms_loaded=loaded, schools=tuple(ordered), years=_years(year)
    )


def school_pattern_detail(
    *, user: AnyUser, school: School, year: int | None = None
) -> SchoolPatternDetail | None:
    """One school's figures and its deletion returns by ground and term. None for anyone
    outside the CME team."""
    if not is_la_staff(user):
        return None
    year = current_academic_year() if year is None else year
    terms, loaded = term_columns(year)
    found = _figures(year, school=school)
    figures = found[0] if found else SchoolFigures(school=school)
    grid: dict[str, list[int]] = defaultdict(lambda: [0] * len(terms))
    late_by_term = [0] * len(terms)
    rows = (
        _deletions(year, school)
        .annotate(term=_term_expression(terms))
        .values("ground", "term")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(late_school_days__isnull=False)))
        .order_by()
    )
    for row in rows:
        grid[row["ground"]][row["term"]] += row["n"]
        late_by_term[row["term"]] += row["late"]
    grounds = tuple(
        GroundRow(code, _ground_label(code), tuple(grid[code])) for code in _ground_order(grid)
    )
    term_totals = tuple(sum(r.counts[i] for r in grounds) for i in range(len(terms)))
    return SchoolPatternDetail(
        year=year,
        terms=terms,
        terms_loaded=loaded,
        figures=figures,
        grounds=grounds,
        term_totals=term_totals,
        late_by_term=tuple(late_by_term),
        years=_years(year),
    )


def term_columns(year: int) -> tuple[tuple[TermColumn, ...], bool]:
    """The year's term columns from the authority's term rows, and whether there were any (if
    not, one column for the whole year)."""
    first, last = academic_year_bounds(year)
    rows = list(
        TermDate.objects.filter(school__isnull=True, kind=TermDate.Kind.TERM, academic_year=year)
        .order_by("start")
        .values_list("name", "start")
    )
    if not rows:
        return (TermColumn(0, academic_year_label(year), first, last),), False
    starts = [first, *(start for _, start in rows[1:])]
    ends = [*(start - timedelta(days=1) for start in starts[1:]), last]
    return tuple(
        TermColumn(i, name, start, end)
        for i, ((name, _), start, end) in enumerate(zip(rows, starts, ends, strict=True))
    ), True


def _term_expression(terms: tuple[TermColumn, ...]) -> Case:
    # Latest start first, so each date takes the last column that has begun by then.
    return Case(
        *(When(deletion_date__gte=t.start, then=Value(t.index)) for t in reversed(terms)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _deletions(year: int, school: School | None) -> QuerySet[DeletionReturn]:
    first, last = academic_year_bounds(year)
    rows = DeletionReturn.objects.filter(school__isnull=False, deletion_date__range=(first, last))
    return rows if school is None else rows.filter(school=school)


def _figures(year: int, *, school: School | None) -> list[SchoolFigures]:
    """Four grouped queries (deletions, late days, new pupils, schools) whatever the count."""
    joint = Q(ground__in=JOINT_ENQUIRY_GROUNDS)
    deletions = {
        row.pop("school_id"): row
        for row in _deletions(year, school)
        .values("school_id")
        .annotate(
            deletions=Count("pk"),
            late=Count("pk", filter=Q(late_school_days__isnull=False)),
            joint_enquiry=Count("pk", filter=joint),
            before_agreement=Count("pk", filter=joint & Q(removed_before_agreement=True)),
            awaiting_destination=Count(
                "pk",
                filter=Q(
                    destination_due__isnull=False,
                    destination_confirmed_at__isnull=True,
                    destination_lapsed_at__isnull=True,
                ),
            ),
            lapsed_destination=Count("pk", filter=Q(destination_lapsed_at__isnull=False)),
            off_rolling=Count("pk", filter=Q(intake_warnings__icontains=OFF_ROLLING_WARNING)),
        )
        .order_by()
    }
    late_days: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        _deletions(year, school)
        .filter(late_school_days__isnull=False)
        .values("school_id", "late_school_days")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        late_days[row["school_id"]][row["late_school_days"]] = row["n"]
    first, last = academic_year_bounds(year)
    new_pupil_rows = NewPupilReturn.objects.filter(
        school__isnull=False, start_date__range=(first, last)
    )
    if school is not None:
        new_pupil_rows = new_pupil_rows.filter(school=school)
    new_pupils = dict(
        new_pupil_rows.values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("school_id", "n")
    )
    ids = deletions.keys() | new_pupils.keys()
    if not ids:
        return []
    schools = (
        {school.pk: school} if school is not None else School.objects.in_bulk(ids)  # one query
    )
    return [
        SchoolFigures(
            school=schools[pk],
            median_days_late=median_of_counts(late_days.get(pk, {})),
            new_pupils=new_pupils.get(pk, 0),
            **deletions.get(pk, {}),
        )
        for pk in ids
    ]


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when there are none."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def nth(position: int) -> int:  # 0-based position in the sorted values
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        raise AssertionError("position beyond the counts")  # pragma: no cover

    middle = total // 2
    if total % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


def _ground_order(codes: Iterable[str]) -> list[str]:
    """The table's order (a) to (o), then not stated, then anything the table does not know."""
    present = set(codes)
    known = [code for code in GROUNDS if code in present]
    if NOT_STATED.code in present:
        known.append(NOT_STATED.code)
    return known + sorted(present - set(known))


def _ground_label(code: str) -> str:
    if code in GROUNDS:
        return GROUNDS[code].label
    if code == NOT_STATED.code:
        return NOT_STATED.label
    return f"({code}) not a ground of regulation 9(1)"


def _years(chosen: int) -> tuple[int, ...]:
    """The years the filter offers: from the earliest return's (or loaded term dates') year to
    the latest's, the current year and the chosen one included; newest first."""
    span: dict[str, Any] = DeletionReturn.objects.aggregate(
        first=Min("deletion_date"), last=Max("deletion_date")
    )
    years = {current_academic_year(), chosen, *academic_years_loaded()}
    if span["first"] is not None:
        years |= set(
            range(academic_year_start(span["first"]), academic_year_start(span["last"]) + 1)
        )
    return tuple(sorted(years, reverse=True))
