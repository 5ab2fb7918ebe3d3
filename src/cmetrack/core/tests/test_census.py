from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.census import length_band, open_on, overlaps, year_group_on

CENSUS = date(2026, 10, 1)


@pytest.mark.parametrize(
    ("since", "band"),
    [
        (CENSUS, "12 weeks or less"),
        (CENSUS - timedelta(days=84), "12 weeks or less"),
        (CENSUS - timedelta(days=85), "more than 12 weeks"),
        (None, "unknown"),
        (CENSUS + timedelta(days=1), "unknown"),
    ],
)
def test_length_bands_split_at_twelve_weeks(since: date | None, band: str) -> None:
    assert length_band(since, CENSUS) == band


def test_year_groups_are_reported_from_reception_to_year_eleven() -> None:
    assert year_group_on(date(2021, 8, 31), date(2026, 10, 1)) == "Year 1"
    assert year_group_on(date(2010, 9, 1), date(2026, 10, 1)) == "Year 11"
    assert year_group_on(date(2009, 8, 31), date(2026, 10, 1)).startswith("outside")
    assert year_group_on(None, CENSUS) == "not known"


def test_a_case_closed_on_the_census_day_does_not_count_that_day() -> None:
    assert open_on(date(2026, 9, 1), None, CENSUS)
    assert not open_on(date(2026, 9, 1), CENSUS, CENSUS)
    assert open_on(date(2026, 9, 1), CENSUS + timedelta(days=1), CENSUS)
    assert not open_on(CENSUS + timedelta(days=1), None, CENSUS)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(min_value=0, max_value=400),
)
def test_a_case_open_on_a_day_overlaps_any_period_containing_it(start: date, length: int) -> None:
    closed = start + timedelta(days=length + 1)
    day = start + timedelta(days=length)
    assert open_on(start, closed, day)
    assert overlaps(start, closed, day - timedelta(days=3), day + timedelta(days=3))
