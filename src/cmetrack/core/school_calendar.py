"""School days: which dates count, and arithmetic in school days (STANDARDS.md, "School days").

A school day is a weekday inside a term that is not an England bank holiday, an INSET day or a
closure day. There is no national calendar: the authority's term dates (optionally merged by the
caller with one school's own dates) come in as `AcademicYearCalendar`s, one per academic year,
and bank holidays come from the `holidays` package (offline; substitute days included).

Never guess. Asking about a date in an academic year with no term dates loaded raises
`NoTermDatesError` naming that year, even for a Saturday: a deadline computed against a missing
calendar would look right and be wrong, which is worse for a statutory timescale than an error.

Counting convention (what "within 5 school days of X" needs): `school_days_between(start, end)`
counts the school days *after* `start` up to and including `end`, the half-open interval
(start, end]. So the day of the concern is day 0 and `add_school_days(start, 5)` is the fifth
school day after it: `school_days_between(start, add_school_days(start, n)) == n` for n >= 1.

Speed: the daily deadline job calls these hundreds of thousands of times, so each academic year's
school days are built once (lazily, on first use) into a sorted tuple and all counting is bisect
on it: O(log n) per year touched, never a walk day by day.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

import holidays

from cmetrack.core.year_group import academic_year_start

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday=0 .. Sunday=6; 5 and 6 are the weekend.


def _iso(value: date) -> str:
    # ISO in messages: they go to administrators fixing data, who search the CSV for them.
    return value.isoformat()


def academic_year_label(year: int) -> str:
    """'2025/26' for the academic year starting in 2025 (the form LAs and the DfE use)."""
    return f"{year}/{(year + 1) % 100:02d}"


def academic_year_bounds(year: int) -> tuple[date, date]:
    """First and last calendar day of an academic year: 1 September .. 31 August, inclusive."""
    return date(year, 9, 1), date(year + 1, 8, 31)


@functools.cache
def england_bank_holidays(calendar_year: int) -> frozenset[date]:
    """England's bank holidays in one calendar year, substitute ("observed") days included.

    `holidays.UK(subdiv="ENG")` includes the substitute day when a holiday falls at a weekend
    (25 Dec 2027 is a Saturday, so Mon 27 and Tue 28 Dec are both bank holidays) and one-off
    days such as the 2023 coronation. `expand=False` keeps the object to the year we asked for,
    so a lookup can never quietly compute other years. Cached: shared by every calendar.
    """
    return frozenset(holidays.UK(subdiv="ENG", years=calendar_year, expand=False).keys())


class NoTermDatesError(LookupError):
    """A date fell in an academic year for which no term dates are loaded."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"No term dates are loaded for {academic_year_label(year)}")

    def __reduce__(self) -> tuple[type[NoTermDatesError], tuple[int]]:
        # Rebuild from the year, not the message, so it survives pickling to a worker process.
        return (type(self), (self.year,))


@dataclass(frozen=True, slots=True)
class Term:
    """One term (or half-term block) of teaching; `start` and `end` are both inclusive."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(
                f"Term {self.name!r} ends ({_iso(self.end)}) before it starts ({_iso(self.start)})"
            )


@dataclass(frozen=True, slots=True)
class AcademicYearCalendar:
    """Term dates, INSET days and closures for one academic year (1 Sep `year` .. 31 Aug).

    Terms are stored sorted by start date whatever order they were given in. INSET and closure
    days may fall outside terms (many LAs list INSET days just before term starts); they are
    simply not school days either way. All dates must lie inside the academic year, otherwise a
    typo in the year would silently land a date in no calendar at all.
    """

    year: int  # starting calendar year, e.g. 2025 for 2025/26
    terms: tuple[Term, ...]
    inset_days: frozenset[date]
    closure_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Normalise so equal calendars compare equal whatever order or collection type was used.
        terms = tuple(sorted(self.terms, key=lambda term: (term.start, term.end)))
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "inset_days", frozenset(self.inset_days))
        object.__setattr__(self, "closure_days", frozenset(self.closure_days))

        label = academic_year_label(self.year)
        first, last = academic_year_bounds(self.year)
        if not terms:
            raise ValueError(f"{label} has no terms")
        for term in terms:
            if term.start > term.end:  # Term refuses this already; checked so a year stands alone.
                raise ValueError(f"{label}: term {term.name!r} ends before it starts")
            if term.start < first or term.end > last:
                raise ValueError(
                    f"{label}: term {term.name!r} ({_iso(term.start)} to "
                    f"{_iso(term.end)}) is not inside the academic year "
                    f"({_iso(first)} to {_iso(last)})"
                )
        for earlier, later in pairwise(terms):
            if later.start <= earlier.end:
                raise ValueError(
                    f"{label}: terms {earlier.name!r} and {later.name!r} overlap "
                    f"({_iso(later.start)} is in both)"
                )
        for kind, days in (("INSET day", self.inset_days), ("closure day", self.closure_days)):
            outside = sorted(d for d in days if not first <= d <= last)
            if outside:
                raise ValueError(
                    f"{label}: {kind} {_iso(outside[0])} is not inside the academic year "
                    f"({_iso(first)} to {_iso(last)})"
                )

    @property
    def label(self) -> str:
        return academic_year_label(self.year)

    def school_days(self) -> tuple[date, ...]:
        """Every school day of the year in order (weekday, in a term, not a day off)."""
        days_off = (
            self.inset_days
            | self.closure_days
            | england_bank_holidays(self.year)
            | england_bank_holidays(self.year + 1)
        )
        result: list[date] = []
        for term in self.terms:
            day = term.start
            while day <= term.end:
                if day.weekday() < _SATURDAY and day not in days_off:
                    result.append(day)
                day += _ONE_DAY
        return tuple(result)


class SchoolCalendar:
    """School-day arithmetic over the academic years it was given.

    Every method raises `NoTermDatesError` if a date it needs lies in an academic year that was
    not loaded. Immutable after construction apart from a private per-year cache; building a
    year twice under a race gives the same tuple, so sharing an instance between threads is safe.
    """

    __slots__ = ("_day_sets", "_days", "_years")

    def __init__(self, years: Iterable[AcademicYearCalendar]) -> None:
        by_year: dict[int, AcademicYearCalendar] = {}
        for year in years:
            if year.year in by_year:
                raise ValueError(f"{year.label} was given more than once")
            by_year[year.year] = year
        self._years = by_year
        self._days: dict[int, tuple[date, ...]] = {}
        self._day_sets: dict[int, frozenset[date]] = {}

    @property
    def academic_years(self) -> tuple[int, ...]:
        """The starting calendar years loaded, ascending (2025 means 2025/26)."""
        return tuple(sorted(self._years))

    def covers(self, day: date) -> bool:
        """True if term dates are loaded for the academic year containing `day`."""
        return academic_year_start(day) in self._years

    def _year_days(self, year: int) -> tuple[date, ...]:
        days = self._days.get(year)
        if days is None:
            calendar = self._years.get(year)
            if calendar is None:
                raise NoTermDatesError(year)
            days = calendar.school_days()
            self._day_sets[year] = frozenset(days)
            self._days[year] = days
        return days

    def _check_loaded(self, first: date, last: date) -> None:
        for year in range(academic_year_start(first), academic_year_start(last) + 1):
            if year not in self._years:
                raise NoTermDatesError(year)

    def is_school_day(self, day: date) -> bool:
        year = academic_year_start(day)
        day_set = self._day_sets.get(year)
        if day_set is None:
            self._year_days(year)
            day_set = self._day_sets[year]
        return day in day_set

    def school_days_between(self, start: date, end: date) -> int:
        """School days after `start` up to and including `end`: the interval (start, end].

        `start` itself never counts, so the day of a concern is day 0 and the next school day
        is day 1. Equal dates give 0. `end` before `start` is a ValueError rather than a
        negative number, since it almost always means the arguments were swapped. Every
        academic year from `start`'s to `end`'s must be loaded.
        """
        if end < start:
            raise ValueError(
                f"end ({_iso(end)}) is before start ({_iso(start)}); "
                "school_days_between counts forwards"
            )
        self._check_loaded(start, end)
        first_year = academic_year_start(start)
        last_year = academic_year_start(end)
        if first_year == last_year:
            days = self._year_days(first_year)
            return bisect_right(days, end) - bisect_right(days, start)
        first_days = self._year_days(first_year)
        count = len(first_days) - bisect_right(first_days, start)
        for year in range(first_year + 1, last_year):
            count += len(self._year_days(year))
        return count + bisect_right(self._year_days(last_year), end)

    def add_school_days(self, start: date, n: int) -> date:
        """The n-th school day after `start` (n >= 0).

        n >= 1: counts as `school_days_between` does, so `start` is day 0 whether or not it is
        a school day, and the result is the date d with school_days_between(start, d) == n.
        n == 0: `start` if it is a school day, else the next school day (the first day on which
        something due "today" can actually happen). Note that this is the same date as n == 1
        when `start` is not a school day.
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, not {n}")
        if n == 0:
            if self.is_school_day(start):
                return start
            n = 1
        year = academic_year_start(start)
        days = self._year_days(year)
        # Index of the n-th school day after start within this year's tuple.
        index = bisect_right(days, start) + n - 1
        while index >= len(days):
            index -= len(days)
            year += 1
            days = self._year_days(year)
        return days[index]

    def next_school_day(self, day: date) -> date:
        """The first school day strictly after `day`."""
        return self.add_school_days(day, 1)

    def previous_school_day(self, day: date) -> date:
        """The last school day strictly before `day`."""
        year = academic_year_start(day)
        days = self._year_days(year)
        index = bisect_left(days, day) - 1
        while index < 0:
            year -= 1
            days = self._year_days(year)
            index += len(days)
        return days[index]

    def school_days_in(self, start: date, end: date) -> Iterator[date]:
        """The school days from `start` to `end`, BOTH inclusive, in order.

        Inclusive (unlike `school_days_between`) so `school_days_in(term.start, term.end)` is
        the whole term. Empty if `end` is before `start`. Missing years are reported when this
        is called, not part-way through iterating.
        """
        if end < start:
            return iter(())
        self._check_loaded(start, end)
        return self._iter_days(start, end)

    def _iter_days(self, start: date, end: date) -> Iterator[date]:
        for year in range(academic_year_start(start), academic_year_start(end) + 1):
            days = self._year_days(year)
            yield from days[bisect_left(days, start) : bisect_right(days, end)]
