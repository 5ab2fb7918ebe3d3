from __future__ import annotations

import pickle
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.core.school_calendar import (
    AcademicYearCalendar,
    NoTermDatesError,
    SchoolCalendar,
    Term,
    academic_year_bounds,
    academic_year_label,
    england_bank_holidays,
)

D = date.fromisoformat
ONE_DAY = timedelta(days=1)

# Synthetic but realistic term dates, 2024/25 to 2028/29: six terms, INSET days inside terms.
# (start, end) pairs for Autumn 1 .. Summer 2, then the INSET days.
_YEARS: dict[int, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    2024: (
        (
            ("2024-09-02", "2024-10-25"),
            ("2024-11-04", "2024-12-20"),
            ("2025-01-06", "2025-02-14"),
            ("2025-02-24", "2025-04-04"),
            ("2025-04-22", "2025-05-23"),
            ("2025-06-02", "2025-07-22"),
        ),
        ("2024-09-02", "2024-09-03", "2024-11-04", "2025-01-06", "2025-07-22"),
    ),
    2025: (
        (
            ("2025-09-01", "2025-10-24"),
            ("2025-11-03", "2025-12-19"),
            ("2026-01-05", "2026-02-13"),
            ("2026-02-23", "2026-03-27"),
            ("2026-04-13", "2026-05-22"),
            ("2026-06-01", "2026-07-20"),
        ),
        ("2025-09-01", "2025-09-02", "2025-11-03", "2026-01-05", "2026-07-20"),
    ),
    2026: (
        (
            ("2026-09-01", "2026-10-23"),
            ("2026-11-02", "2026-12-18"),
            ("2027-01-04", "2027-02-12"),
            ("2027-02-22", "2027-03-25"),
            ("2027-04-12", "2027-05-28"),
            ("2027-06-07", "2027-07-21"),
        ),
        ("2026-09-01", "2026-09-02", "2026-11-02", "2027-01-04", "2027-07-21"),
    ),
    2027: (
        (
            ("2027-09-01", "2027-10-22"),
            ("2027-11-01", "2027-12-17"),
            ("2028-01-04", "2028-02-11"),
            ("2028-02-21", "2028-04-07"),  # covers Tuesday 29 February 2028
            ("2028-04-24", "2028-05-26"),
            ("2028-06-05", "2028-07-21"),
        ),
        ("2027-09-01", "2027-09-02", "2027-11-01", "2028-01-04", "2028-07-21"),
    ),
    2028: (
        (
            ("2028-09-04", "2028-10-20"),
            ("2028-10-30", "2028-12-20"),
            ("2029-01-02", "2029-02-09"),
            ("2029-02-19", "2029-03-29"),
            ("2029-04-16", "2029-05-25"),
            ("2029-06-04", "2029-07-20"),
        ),
        ("2028-09-04", "2028-09-05", "2028-10-30", "2029-01-02", "2029-07-20"),
    ),
}
_TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")

FIRST_LOADED = D("2024-09-01")
LAST_LOADED = D("2029-08-31")


def _year(year: int, closures: tuple[str, ...] = ()) -> AcademicYearCalendar:
    terms, inset = _YEARS[year]
    return AcademicYearCalendar(
        year=year,
        terms=tuple(
            Term(name, D(start), D(end))
            for name, (start, end) in zip(_TERM_NAMES, terms, strict=True)
        ),
        inset_days=frozenset(D(d) for d in inset),
        closure_days=frozenset(D(d) for d in closures),
    )


def _always_in_term(year: int) -> AcademicYearCalendar:
    """One term filling the whole year, no INSET: isolates weekends and bank holidays."""
    first, last = academic_year_bounds(year)
    return AcademicYearCalendar(
        year=year, terms=(Term("All year", first, last),), inset_days=frozenset()
    )


CAL = SchoolCalendar(_year(y) for y in _YEARS)
ALL_YEAR = SchoolCalendar(_always_in_term(y) for y in _YEARS)

# The package's own list, as an independent oracle for the bank holidays we exclude.
ENGLAND = holidays.UK(subdiv="ENG", years=range(2024, 2030))


def _naive_between(calendar: SchoolCalendar, start: date, end: date) -> int:
    count, day = 0, start + ONE_DAY
    while day <= end:
        count += calendar.is_school_day(day)
        day += ONE_DAY
    return count


# --- what counts as a school day ---------------------------------------------------------


def test_saturday_and_sunday_in_term_are_not_school_days() -> None:
    assert not CAL.is_school_day(D("2025-10-04"))  # Saturday, Autumn 1
    assert not CAL.is_school_day(D("2025-10-05"))  # Sunday
    assert CAL.is_school_day(D("2025-10-06"))  # Monday


def test_christmas_and_boxing_day_substitute_days_2027_are_not_school_days() -> None:
    # 25 Dec 2027 is a Saturday, 26th a Sunday: Monday 27 and Tuesday 28 are bank holidays.
    assert not ALL_YEAR.is_school_day(D("2027-12-27"))
    assert not ALL_YEAR.is_school_day(D("2027-12-28"))
    assert ALL_YEAR.is_school_day(D("2027-12-29"))


def test_new_year_substitute_day_2028_is_not_a_school_day() -> None:
    assert not ALL_YEAR.is_school_day(D("2028-01-03"))  # 1 Jan 2028 is a Saturday


def test_boxing_day_substitute_2026_is_not_a_school_day() -> None:
    # Christmas 2026 is a Friday (itself the holiday); Boxing Day Saturday -> Monday 28th.
    assert not ALL_YEAR.is_school_day(D("2026-12-25"))
    assert not ALL_YEAR.is_school_day(D("2026-12-28"))
    assert ALL_YEAR.is_school_day(D("2026-12-29"))


def test_good_friday_and_easter_monday_are_not_school_days() -> None:
    assert not ALL_YEAR.is_school_day(D("2028-04-14"))
    assert not ALL_YEAR.is_school_day(D("2028-04-17"))
    assert ALL_YEAR.is_school_day(D("2028-04-13"))
    assert ALL_YEAR.is_school_day(D("2028-04-18"))


def test_early_may_and_spring_bank_holidays_are_not_school_days_even_in_term() -> None:
    assert not CAL.is_school_day(D("2025-05-05"))  # early May, inside Summer 1 2025
    assert CAL.is_school_day(D("2025-05-06"))
    assert not CAL.is_school_day(D("2027-05-03"))  # early May, inside Summer 1 2027
    assert not ALL_YEAR.is_school_day(D("2026-05-25"))  # spring bank holiday


def test_one_off_bank_holidays_come_from_the_holidays_package() -> None:
    # Not in our loaded years, but proves the package supplies one-off days (coronation, 2023).
    assert D("2023-05-08") in england_bank_holidays(2023)


def test_half_term_week_is_not_school_days() -> None:
    for day in range(16, 21):  # Feb 2026 half-term, Monday 16 to Friday 20
        assert not CAL.is_school_day(date(2026, 2, day))
    assert CAL.school_days_between(D("2026-02-13"), D("2026-02-23")) == 1


def test_inset_day_inside_term_is_not_a_school_day() -> None:
    assert not CAL.is_school_day(D("2025-11-03"))  # INSET, first day of Autumn 2
    assert CAL.is_school_day(D("2025-11-04"))


def test_closure_day_is_not_a_school_day() -> None:
    with_closure = SchoolCalendar([_year(2025, closures=("2025-10-08",))])
    assert CAL.is_school_day(D("2025-10-08"))
    assert not with_closure.is_school_day(D("2025-10-08"))


def test_weekday_outside_any_term_is_not_a_school_day() -> None:
    assert not CAL.is_school_day(D("2025-08-05"))  # summer holiday
    assert not CAL.is_school_day(D("2025-12-23"))  # Christmas holiday


def test_leap_day_29_february_2028_in_term_is_a_school_day_and_counts() -> None:
    assert CAL.is_school_day(D("2028-02-29"))
    assert CAL.school_days_between(D("2028-02-28"), D("2028-03-01")) == 2
    assert CAL.add_school_days(D("2028-02-28"), 1) == D("2028-02-29")


def test_every_bank_holiday_and_weekend_is_excluded_exactly() -> None:
    # With a term covering every day, school days are exactly weekdays minus bank holidays.
    day = FIRST_LOADED
    while day <= LAST_LOADED:
        expected = day.weekday() < 5 and day not in ENGLAND
        assert ALL_YEAR.is_school_day(day) is expected, day
        day += ONE_DAY


# --- the academic year boundary and spans across years -------------------------------------


def test_31_august_belongs_to_the_year_before_1_september() -> None:
    # 31 Aug 2026 is the late summer bank holiday (2025/26); 1 Sep 2026 starts 2026/27.
    only_2026 = SchoolCalendar([_always_in_term(2026)])
    with pytest.raises(NoTermDatesError, match="2025/26"):
        only_2026.is_school_day(D("2026-08-31"))
    assert only_2026.is_school_day(D("2026-09-01"))
    assert not ALL_YEAR.is_school_day(D("2026-08-31"))
    assert ALL_YEAR.school_days_between(D("2026-08-28"), D("2026-09-01")) == 1


def test_counting_across_the_summer_into_the_next_academic_year() -> None:
    # Last pupil day of 2024/25 is Mon 21 July (22nd is INSET); 2025/26 pupils start 3 Sep.
    assert CAL.previous_school_day(D("2025-09-01")) == D("2025-07-21")
    assert CAL.next_school_day(D("2025-07-21")) == D("2025-09-03")
    assert CAL.school_days_between(D("2025-07-18"), D("2025-09-04")) == 3
    assert CAL.add_school_days(D("2025-07-18"), 3) == D("2025-09-04")


def test_span_over_whole_years_counts_every_school_day_of_each() -> None:
    total = sum(len(_year(y).school_days()) for y in _YEARS)
    assert CAL.school_days_between(FIRST_LOADED, LAST_LOADED) == total
    assert total == _naive_between(CAL, FIRST_LOADED, LAST_LOADED)


def test_home_visit_within_5_school_days_skips_half_term_and_inset() -> None:
    # Concern on Thu 23 Oct 2025. Day 1 is Fri 24; half-term; Mon 3 Nov is INSET.
    assert CAL.add_school_days(D("2025-10-23"), 5) == D("2025-11-07")
    assert CAL.school_days_between(D("2025-10-23"), D("2025-11-07")) == 5


# --- conventions ----------------------------------------------------------------------------


def test_between_excludes_start_and_includes_end() -> None:
    assert CAL.school_days_between(D("2025-10-06"), D("2025-10-06")) == 0
    assert CAL.school_days_between(D("2025-10-06"), D("2025-10-07")) == 1
    assert CAL.school_days_between(D("2025-10-06"), D("2025-10-10")) == 4


def test_between_with_end_before_start_is_an_error() -> None:
    with pytest.raises(ValueError, match="before start"):
        CAL.school_days_between(D("2025-10-10"), D("2025-10-06"))


def test_add_zero_school_days_is_the_day_itself_or_the_next_school_day() -> None:
    assert CAL.add_school_days(D("2025-10-06"), 0) == D("2025-10-06")  # Monday
    assert CAL.add_school_days(D("2025-10-04"), 0) == D("2025-10-06")  # Saturday
    assert CAL.add_school_days(D("2025-10-04"), 1) == D("2025-10-06")  # same as n=1 then


def test_add_school_days_counts_from_a_non_school_day_as_day_0() -> None:
    assert CAL.add_school_days(D("2025-10-04"), 2) == D("2025-10-07")


def test_add_negative_school_days_is_an_error() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        CAL.add_school_days(D("2025-10-06"), -1)


def test_next_and_previous_school_day_are_strictly_after_and_before() -> None:
    assert CAL.next_school_day(D("2025-10-10")) == D("2025-10-13")  # Friday -> Monday
    assert CAL.previous_school_day(D("2025-10-13")) == D("2025-10-10")
    assert CAL.previous_school_day(D("2026-01-06")) == D("2025-12-19")  # over Christmas + INSET


def test_school_days_in_includes_both_ends() -> None:
    week = list(CAL.school_days_in(D("2025-10-06"), D("2025-10-10")))
    assert week == [D("2025-10-06") + timedelta(days=i) for i in range(5)]
    autumn_1 = _year(2025).terms[0]
    days = list(CAL.school_days_in(autumn_1.start, autumn_1.end))
    assert days[0] == D("2025-09-03")  # after the two INSET days
    assert days[-1] == D("2025-10-24")


def test_school_days_in_is_empty_when_end_is_before_start() -> None:
    assert list(CAL.school_days_in(D("2025-10-10"), D("2025-10-09"))) == []


def test_school_days_in_across_years_matches_between() -> None:
    start, end = D("2025-07-01"), D("2026-10-01")
    assert len(list(CAL.school_days_in(start, end))) == CAL.school_days_between(
        start - ONE_DAY, end
    )


# --- missing term dates: never guess --------------------------------------------------------


def test_date_in_a_year_with_no_term_dates_raises_naming_the_year() -> None:
    with pytest.raises(NoTermDatesError, match=r"No term dates are loaded for 2029/30") as info:
        CAL.is_school_day(D("2030-01-07"))
    assert info.value.year == 2029
    assert isinstance(info.value, LookupError)


def test_no_term_dates_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(NoTermDatesError(2029)))  # noqa: S301 - our own bytes
    assert (error.year, str(error)) == (2029, "No term dates are loaded for 2029/30")


def test_weekend_in_a_missing_year_still_raises() -> None:
    with pytest.raises(NoTermDatesError, match="2023/24"):
        CAL.is_school_day(D("2024-06-01"))  # a Saturday, but we still will not guess


def test_adding_past_the_last_loaded_year_raises_naming_the_next_year() -> None:
    with pytest.raises(NoTermDatesError, match="2029/30"):
        CAL.add_school_days(D("2029-07-01"), 30)


def test_previous_school_day_before_the_first_loaded_year_raises() -> None:
    with pytest.raises(NoTermDatesError, match="2023/24"):
        CAL.previous_school_day(D("2024-09-04"))  # 2024/25 pupils start on 4 Sep


def test_counting_across_a_gap_in_the_loaded_years_raises_naming_the_gap() -> None:
    gappy = SchoolCalendar([_year(2024), _year(2026)])
    with pytest.raises(NoTermDatesError, match="2025/26"):
        gappy.school_days_between(D("2025-07-01"), D("2026-10-01"))
    with pytest.raises(NoTermDatesError, match="2025/26"):
        gappy.school_days_in(D("2025-07-01"), D("2026-10-01"))  # raised on call, not iteration


def test_covers_and_academic_years_describe_what_is_loaded() -> None:
    assert CAL.academic_years == (2024, 2025, 2026, 2027, 2028)
    assert CAL.covers(D("2029-08-31"))
    assert not CAL.covers(D("2029-09-01"))


def test_the_same_academic_year_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="2025/26 was given more than once"):
        SchoolCalendar([_year(2025), _year(2025)])


# --- validating an academic year ----------------------------------------------------------


def test_academic_year_label_wraps_the_century() -> None:
    assert academic_year_label(2025) == "2025/26"
    assert academic_year_label(2099) == "2099/00"


def test_term_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        Term("Autumn 1", D("2025-10-24"), D("2025-09-01"))


def test_term_outside_the_academic_year_is_refused() -> None:
    with pytest.raises(ValueError, match="not inside the academic year"):
        AcademicYearCalendar(
            year=2025,
            terms=(Term("Summer 2", D("2026-06-01"), D("2026-09-02")),),
            inset_days=frozenset(),
        )


def test_overlapping_terms_are_refused() -> None:
    with pytest.raises(ValueError, match="'Autumn 1' and 'Autumn 2' overlap"):
        AcademicYearCalendar(
            year=2025,
            terms=(
                Term("Autumn 2", D("2025-10-20"), D("2025-12-19")),
                Term("Autumn 1", D("2025-09-01"), D("2025-10-24")),
            ),
            inset_days=frozenset(),
        )


def test_a_year_without_terms_is_refused() -> None:
    with pytest.raises(ValueError, match="2025/26 has no terms"):
        AcademicYearCalendar(year=2025, terms=(), inset_days=frozenset())


def test_inset_day_outside_the_academic_year_is_refused() -> None:
    with pytest.raises(ValueError, match="INSET day 2026-09-01 is not inside"):
        AcademicYearCalendar(
            year=2025,
            terms=(Term("Autumn 1", D("2025-09-01"), D("2025-10-24")),),
            inset_days=frozenset({D("2026-09-01")}),
        )


def test_terms_are_stored_in_date_order_so_equal_years_compare_equal() -> None:
    a, b = Term("A", D("2025-09-01"), D("2025-10-24")), Term("B", D("2025-11-03"), D("2025-12-19"))
    first = AcademicYearCalendar(year=2025, terms=(b, a), inset_days=frozenset())
    assert first.terms == (a, b)
    assert first == AcademicYearCalendar(year=2025, terms=(a, b), inset_days=frozenset())


# --- properties -----------------------------------------------------------------------------

starts = st.dates(min_value=FIRST_LOADED, max_value=D("2028-08-31"))  # +120 stays inside
loaded = st.dates(min_value=FIRST_LOADED, max_value=LAST_LOADED)
PROPERTY = settings(max_examples=100, deadline=None)


@PROPERTY
@given(starts, st.integers(min_value=1, max_value=120))
def test_between_undoes_add(start: date, n: int) -> None:
    assert CAL.school_days_between(start, CAL.add_school_days(start, n)) == n


@PROPERTY
@given(starts, st.integers(min_value=0, max_value=120))
def test_add_school_days_always_lands_on_a_school_day_not_before_start(start: date, n: int) -> None:
    result = CAL.add_school_days(start, n)
    assert CAL.is_school_day(result)
    assert result > start or (n == 0 and result == start)


@PROPERTY
@given(loaded)
def test_weekends_and_bank_holidays_are_never_school_days(day: date) -> None:
    if day.weekday() >= 5 or day in ENGLAND:
        assert not CAL.is_school_day(day)


@PROPERTY
@given(st.lists(loaded, min_size=3, max_size=3).map(sorted))
def test_between_is_additive(days: list[date]) -> None:
    a, b, c = days
    assert CAL.school_days_between(a, b) + CAL.school_days_between(b, c) == CAL.school_days_between(
        a, c
    )


@PROPERTY
@given(loaded, st.integers(min_value=0, max_value=500))
def test_between_matches_counting_day_by_day(start: date, span: int) -> None:
    end = min(start + timedelta(days=span), LAST_LOADED)
    assert CAL.school_days_between(start, end) == _naive_between(CAL, start, end)


@PROPERTY
@given(st.dates(min_value=D("2024-09-05"), max_value=D("2029-07-01")))
def test_next_of_previous_is_the_first_school_day_on_or_after(day: date) -> None:
    assert CAL.next_school_day(CAL.previous_school_day(day)) == CAL.add_school_days(day, 0)
