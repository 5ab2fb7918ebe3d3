from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.year_group import (
    academic_year_start,
    national_curriculum_year,
    year_group_label,
)

births = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))
years = st.integers(min_value=1950, max_value=2120)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 8, 31), 2024),
        (date(2025, 9, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (date(2026, 8, 31), 2025),
    ],
)
def test_academic_year_starts_on_1_september(on: date, expected: int) -> None:
    assert academic_year_start(on) == expected


# Worked examples from STANDARDS.md for 2025/26, checked on both the first and last day of the
# school year.
@pytest.mark.parametrize("on", [date(2025, 9, 1), date(2026, 1, 15), date(2026, 8, 31)])
@pytest.mark.parametrize(
    ("date_of_birth", "expected_year", "expected_label"),
    [
        (date(2021, 8, 31), 0, "Reception"),
        (date(2020, 9, 1), 0, "Reception"),
        (date(2020, 8, 31), 1, "Year 1"),
        (date(2014, 9, 1), 6, "Year 6"),
        (date(2010, 3, 3), 11, "Year 11"),
    ],
)
def test_standards_worked_examples_for_2025_26(
    on: date, date_of_birth: date, expected_year: int, expected_label: str
) -> None:
    year = national_curriculum_year(date_of_birth, on)
    assert year == expected_year
    assert year_group_label(year) == expected_label


def test_leap_day_birthday_is_in_the_sept_to_aug_cohort() -> None:
    assert national_curriculum_year(date(2020, 2, 29), date(2025, 9, 1)) == 1


def test_nursery_and_post_16_ages_give_out_of_range_years() -> None:
    assert national_curriculum_year(date(2022, 1, 1), date(2025, 9, 1)) == -1
    assert national_curriculum_year(date(2008, 1, 1), date(2025, 9, 1)) == 13


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (-3, "Nursery"),
        (-2, "Nursery"),
        (-1, "Nursery"),
        (0, "Reception"),
        (1, "Year 1"),
        (11, "Year 11"),
        (12, "Year 12"),
        (13, "Year 13"),
        (14, "Post-16"),
        (40, "Post-16"),
    ],
)
def test_year_group_labels(year: int, label: str) -> None:
    assert year_group_label(year) == label


@given(births, years)
def test_year_group_goes_up_by_exactly_one_each_1_september(date_of_birth: date, year: int) -> None:
    before = national_curriculum_year(date_of_birth, date(year, 9, 1))
    after = national_curriculum_year(date_of_birth, date(year + 1, 9, 1))
    assert after == before + 1


@given(births, years, st.integers(min_value=0, max_value=364))
def test_year_group_is_constant_within_a_school_year(
    date_of_birth: date, year: int, offset: int
) -> None:
    first_day = date(year, 9, 1)
    on = first_day + timedelta(days=offset)  # at most 31 August of the next year
    assert national_curriculum_year(date_of_birth, on) == national_curriculum_year(
        date_of_birth, first_day
    )


@given(births)
def test_children_born_1_sep_to_31_aug_share_a_year_group(date_of_birth: date) -> None:
    cohort_start = date(academic_year_start(date_of_birth), 9, 1)
    on = date(2030, 10, 1)
    assert national_curriculum_year(date_of_birth, on) == national_curriculum_year(cohort_start, on)


@given(st.integers(min_value=-100, max_value=100))
def test_every_year_has_a_label(year: int) -> None:
    assert year_group_label(year)
