from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.school_age import (
    AGE_REVIEW_LAST_SEPTEMBER_DAY,
    PRESCRIBED_DAYS,
    AgeStatus,
    SchoolAgeStatus,
    birthday,
    compulsory_school_age_end,
    compulsory_school_age_start,
    is_compulsory_school_age,
    needs_age_review,
    school_age_status,
)

# Keep births where +16 years stays well inside date's range.
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def _age_on(date_of_birth: date, on: date) -> int:
    years = on.year - date_of_birth.year
    return years if on >= birthday(date_of_birth, years) else years - 1


# --- worked examples from STANDARDS.md -------------------------------------------------------


def test_fifth_birthday_10_feb_2024_starts_on_31_march_2024() -> None:
    assert compulsory_school_age_start(date(2019, 2, 10)) == date(2024, 3, 31)


def test_born_23_sep_2007_ends_on_28_june_2024() -> None:
    assert compulsory_school_age_end(date(2007, 9, 23)) == date(2024, 6, 28)


@pytest.mark.parametrize(
    ("date_of_birth", "expected_end"),
    [
        # 16th birthday in the 2023/24 .. 2026/27 school years.
        (date(2008, 3, 1), date(2024, 6, 28)),
        (date(2009, 3, 1), date(2025, 6, 27)),
        (date(2010, 3, 1), date(2026, 6, 26)),
        (date(2011, 3, 1), date(2027, 6, 25)),
    ],
)
def test_end_is_the_listed_last_friday_in_june(date_of_birth: date, expected_end: date) -> None:
    assert compulsory_school_age_end(date_of_birth) == expected_end


# --- start ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fifth_birthday", "expected_start"),
    [
        (date(2024, 1, 1), date(2024, 3, 31)),
        (date(2024, 3, 31), date(2024, 3, 31)),  # a birthday on a prescribed day counts
        (date(2024, 4, 1), date(2024, 8, 31)),
        (date(2024, 8, 31), date(2024, 8, 31)),
        (date(2024, 9, 1), date(2024, 12, 31)),
        (date(2024, 12, 31), date(2024, 12, 31)),
    ],
)
def test_start_is_first_prescribed_day_on_or_after_fifth_birthday(
    fifth_birthday: date, expected_start: date
) -> None:
    date_of_birth = fifth_birthday.replace(year=fifth_birthday.year - 5)
    assert compulsory_school_age_start(date_of_birth) == expected_start


def test_leap_day_birthday_attains_age_on_first_of_march_in_common_years() -> None:
    assert birthday(date(2020, 2, 29), 5) == date(2025, 3, 1)
    assert birthday(date(2020, 2, 29), 4) == date(2024, 2, 29)


def test_leap_day_birthday_starts_31_march_and_ends_in_the_usual_june() -> None:
    assert compulsory_school_age_start(date(2020, 2, 29)) == date(2025, 3, 31)
    # 16th birthday 1 Mar 2036 (not a leap year) -> school year 2035/36 -> June 2036.
    assert compulsory_school_age_end(date(2020, 2, 29)) == date(2036, 6, 27)


@given(births)
def test_start_is_a_prescribed_day_within_five_months_of_fifth_birthday(
    date_of_birth: date,
) -> None:
    start = compulsory_school_age_start(date_of_birth)
    fifth = birthday(date_of_birth, 5)
    assert (start.month, start.day) in PRESCRIBED_DAYS
    # Longest gap between prescribed days is 31 Mar -> 31 Aug (153 days).
    assert fifth <= start < fifth + timedelta(days=153)


# --- end ------------------------------------------------------------------------------------


def test_16th_birthday_on_31_august_leaves_that_june_aged_15() -> None:
    assert compulsory_school_age_end(date(2008, 8, 31)) == date(2024, 6, 28)


def test_16th_birthday_on_1_september_leaves_the_next_june() -> None:
    assert compulsory_school_age_end(date(2008, 9, 1)) == date(2025, 6, 27)


@given(births)
def test_end_is_a_late_june_friday_when_child_is_15_or_16(date_of_birth: date) -> None:
    end = compulsory_school_age_end(date_of_birth)
    assert end.weekday() == calendar.FRIDAY
    assert end.month == 6 and end.day >= 24  # last Friday: within the final 7 days
    assert _age_on(date_of_birth, end) in (15, 16)


@given(births)
def test_start_is_always_before_end(date_of_birth: date) -> None:
    assert compulsory_school_age_start(date_of_birth) < compulsory_school_age_end(date_of_birth)


# --- is_compulsory_school_age / status ------------------------------------------------------


def test_compulsory_school_age_includes_both_start_and_end_days() -> None:
    date_of_birth = date(2007, 9, 23)
    start = compulsory_school_age_start(date_of_birth)
    end = compulsory_school_age_end(date_of_birth)
    assert not is_compulsory_school_age(date_of_birth, start - timedelta(days=1))
    assert is_compulsory_school_age(date_of_birth, start)
    assert is_compulsory_school_age(date_of_birth, end)
    assert not is_compulsory_school_age(date_of_birth, end + timedelta(days=1))


@pytest.mark.parametrize(
    ("on", "expected_status", "expected_text"),
    [
        (date(2024, 3, 30), AgeStatus.BELOW, "reaches compulsory school age on 31 March 2024"),
        (date(2024, 3, 31), AgeStatus.COMPULSORY, "of compulsory school age until 29 June 2035"),
        (date(2035, 6, 29), AgeStatus.COMPULSORY, "of compulsory school age until 29 June 2035"),
        (
            date(2035, 6, 30),
            AgeStatus.ABOVE,
            "ceased to be of compulsory school age on 29 June 2035",
        ),
    ],
)
def test_school_age_status_reports_phase_dates_and_text(
    on: date, expected_status: AgeStatus, expected_text: str
) -> None:
    status = school_age_status(date(2019, 2, 10), on)
    assert status == SchoolAgeStatus(
        status=expected_status,
        starts_on=date(2024, 3, 31),
        ends_on=date(2035, 6, 29),
        needs_review=False,
    )
    assert status.describe() == expected_text


def test_school_age_status_values_are_plain_strings() -> None:
    assert school_age_status(date(2019, 2, 10), date(2020, 1, 1)).status == "below"
    assert [s.value for s in AgeStatus] == ["below", "compulsory", "above"]


@given(births, st.dates(min_value=date(1900, 1, 1), max_value=date(2130, 12, 31)))
def test_status_agrees_with_is_compulsory_school_age(date_of_birth: date, on: date) -> None:
    status = school_age_status(date_of_birth, on)
    assert (status.status is AgeStatus.COMPULSORY) == is_compulsory_school_age(date_of_birth, on)


# --- review flag ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_of_birth", "expected"),
    [
        (date(2008, 8, 31), False),
        (date(2008, 9, 1), True),
        (date(2008, 9, AGE_REVIEW_LAST_SEPTEMBER_DAY), True),
        (date(2008, 9, AGE_REVIEW_LAST_SEPTEMBER_DAY + 1), False),
        (date(2007, 9, 23), False),
    ],
)
def test_16th_birthday_in_first_week_of_september_needs_review(
    date_of_birth: date, expected: bool
) -> None:
    assert needs_age_review(date_of_birth) is expected
    assert school_age_status(date_of_birth, date(2020, 1, 1)).needs_review is expected


def test_school_age_status_is_immutable() -> None:
    status = school_age_status(date(2019, 2, 10), date(2020, 1, 1))
    with pytest.raises(AttributeError):
        status.status = AgeStatus.ABOVE  # type: ignore[misc]
