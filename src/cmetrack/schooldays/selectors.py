"""Reads of term dates: the one way the rest of cmetrack gets a `SchoolCalendar`.

Term dates are the authority's published reference data (no personal data), so, like the schools
register, these reads are not scoped by the acting user.

How a school's own rows combine with the authority's, year by year:

- A school with its own `term` rows for a year (an academy that sets its own dates) follows only
  its own rows that year: its terms, INSET days and closures. The authority's INSET days and
  closures were set around the authority's terms and would wrongly close the school on days it
  is open (the Monday after the authority's half term, say).
- Any other school follows the authority's terms, INSET days and closures, plus its own INSET
  days and closures.
- A year with no terms after that (only INSET days, say) is not loaded, so asking about it
  raises `NoTermDatesError` rather than counting against a guessed calendar.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q

from cmetrack.core.school_calendar import AcademicYearCalendar, SchoolCalendar, Term
from cmetrack.schools.models import School

from .models import TermDate

logger = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)

# What identifies the content of a set of rows without reading them: an insert, update or
# delete changes at least one part (but see MAX_AGE_SECONDS). Count alone misses a delete plus
# an insert; the newest updated_at misses a delete; the highest id guards against clocks that
# differ between servers.
_Stamp = tuple[int, datetime | None, int | None]
_Builder = Callable[[], SchoolCalendar]


@dataclass
class _YearRows:
    terms: list[Term] = field(default_factory=list)
    inset_days: set[date] = field(default_factory=set)
    closure_days: set[date] = field(default_factory=set)


# Built calendars for this process, keyed by school id (None for the authority's own), with the
# stamps they were built from and when. Bounded by the number of schools with rows of their own.
# No lock: two threads racing build equal calendars and the last assignment wins harmlessly.
_cache: dict[int | None, tuple[tuple[_Stamp, ...], float, SchoolCalendar]] = {}

# The stamp can miss one change: a row saved in a transaction that commits after a later save
# was already seen keeps an updated_at older than the newest, and the count and highest id do
# not move. Rebuilding at least this often bounds how long such a miss can last, for the price
# of one rebuild (milliseconds) per process every few minutes.
MAX_AGE_SECONDS = 300.0


def school_calendar_cache_clear() -> None:
    """Forget every built calendar in this process (services call it after writing)."""
    _cache.clear()


def school_calendar(*, school: School | None = None) -> SchoolCalendar:
    """The school-day calendar for the authority, or for one school (see the module docstring).

    One cheap aggregate query per call checks whether the rows changed since the calendar was
    built; the calendar itself (and its per-year school days) is built only when they did, so a
    daily job may call this for every case. Schools with no rows of their own share the
    authority's calendar object, and with it the school days it has already worked out.
    """
    authority_rows = Q(school__isnull=True)
    if school is None:
        stamps = TermDate.objects.filter(authority_rows).aggregate(
            la_count=Count("pk"), la_latest=Max("updated_at"), la_top=Max("pk")
        )
    else:
        own_rows = Q(school=school)
        stamps = TermDate.objects.filter(authority_rows | own_rows).aggregate(
            la_count=Count("pk", filter=authority_rows),
            la_latest=Max("updated_at", filter=authority_rows),
            la_top=Max("pk", filter=authority_rows),
            own_count=Count("pk", filter=own_rows),
            own_latest=Max("updated_at", filter=own_rows),
            own_top=Max("pk", filter=own_rows),
        )
    authority_stamp: _Stamp = (stamps["la_count"], stamps["la_latest"], stamps["la_top"])
    if school is None or not stamps["own_count"]:
        return _cached(None, (authority_stamp,), lambda: _build(_rows(None), ()))

    own_stamp: _Stamp = (stamps["own_count"], stamps["own_latest"], stamps["own_top"])
    return _cached(
        school.pk,
        (authority_stamp, own_stamp),
        lambda: _build(_rows(None), _rows(school)),
    )


def academic_years_loaded() -> list[int]:
    """Academic years (starting calendar year, ascending) for which the authority has terms."""
    return list(
        TermDate.objects.filter(school__isnull=True, kind=TermDate.Kind.TERM)
        .order_by("academic_year")
        .values_list("academic_year", flat=True)
        .distinct()
    )


def _cached(key: int | None, stamps: tuple[_Stamp, ...], build: _Builder) -> SchoolCalendar:
    entry = _cache.get(key)
    now = time.monotonic()
    if entry is not None and entry[0] == stamps and now - entry[1] < MAX_AGE_SECONDS:
        return entry[2]
    calendar = build()
    _cache[key] = (stamps, now, calendar)
    return calendar


def _rows(school: School | None) -> list[TermDate]:
    # filter(school=None) is IS NULL: the authority's rows.
    rows = TermDate.objects.filter(school=school)
    return list(rows.only("academic_year", "kind", "name", "start", "end"))


def _by_year(rows: Iterable[TermDate]) -> dict[int, _YearRows]:
    years: dict[int, _YearRows] = defaultdict(_YearRows)
    for row in rows:
        year = years[row.academic_year]
        if row.kind == TermDate.Kind.TERM:
            year.terms.append(Term(row.name, row.start, row.end))
        else:
            days = _days(row.start, row.end)
            (year.inset_days if row.kind == TermDate.Kind.INSET else year.closure_days).update(days)
    return years


def _days(start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        days.append(day)
        day += _ONE_DAY
    return days


def _build(authority: Iterable[TermDate], own: Iterable[TermDate]) -> SchoolCalendar:
    authority_years = _by_year(authority)
    own_years = _by_year(own)
    calendars: list[AcademicYearCalendar] = []
    for year in sorted(authority_years.keys() | own_years.keys()):
        ours = own_years.get(year, _YearRows())
        if ours.terms:
            merged = ours
        else:
            theirs = authority_years.get(year, _YearRows())
            merged = _YearRows(
                terms=theirs.terms,
                inset_days=theirs.inset_days | ours.inset_days,
                closure_days=theirs.closure_days | ours.closure_days,
            )
        calendar = _build_year(year, merged)
        if calendar is not None:
            calendars.append(calendar)
    return SchoolCalendar(calendars)


def _build_year(year: int, rows: _YearRows) -> AcademicYearCalendar | None:
    if not rows.terms:
        return None
    try:
        return AcademicYearCalendar(
            year=year,
            terms=tuple(rows.terms),
            inset_days=frozenset(rows.inset_days),
            closure_days=frozenset(rows.closure_days),
        )
    except ValueError:
        # Only reachable by data the import and the admin both refuse (overlapping terms written
        # by two editors at once, say). Leaving the year out makes every date in it raise
        # NoTermDatesError, which stops deadlines being counted against a wrong calendar; the
        # log says why so an administrator can fix the rows.
        logger.exception("Term dates for academic year %s are inconsistent; not loading it", year)
        return None
