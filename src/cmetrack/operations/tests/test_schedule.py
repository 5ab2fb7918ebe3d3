"""Which window a job is in: once a day from its time (London's wall clock), or per interval."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.operations.jobs import Job
from cmetrack.operations.schedule import LONDON, current_slot

DAILY = Job("daily", "Daily", lambda: "", daily_at=time(6, 15))
FIVE_MINUTES = Job("often", "Often", lambda: "", every=timedelta(minutes=5))
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def test_a_daily_window_opens_at_its_time_and_belongs_to_that_day() -> None:
    assert current_slot(DAILY, london(2026, 12, 2, 6, 14)) == "2026-12-01"
    assert current_slot(DAILY, london(2026, 12, 2, 6, 15)) == "2026-12-02"
    assert current_slot(DAILY, london(2026, 12, 2, 23, 59)) == "2026-12-02"


def test_the_daily_time_is_londons_wall_clock_in_summer_and_winter() -> None:
    # 06:15 BST is 05:15 UTC; 06:15 GMT is 06:15 UTC.
    assert current_slot(DAILY, datetime(2026, 7, 1, 5, 15, tzinfo=UTC)) == "2026-07-01"
    assert current_slot(DAILY, datetime(2026, 7, 1, 5, 14, tzinfo=UTC)) == "2026-06-30"
    assert current_slot(DAILY, datetime(2026, 12, 1, 6, 14, tzinfo=UTC)) == "2026-11-30"


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        current_slot(DAILY, datetime(2026, 12, 2, 7, 0))


@given(moments)
def test_a_daily_slot_is_the_last_opening_at_or_before_the_moment(now: datetime) -> None:
    slot = date.fromisoformat(current_slot(DAILY, now))
    opened = datetime.combine(slot, DAILY.daily_at or time(), tzinfo=LONDON)
    assert opened <= now < datetime.combine(slot + timedelta(days=1), time(6, 15), tzinfo=LONDON)


@given(moments)
def test_a_frequent_slot_is_the_window_the_moment_falls_in(now: datetime) -> None:
    slot = current_slot(FIVE_MINUTES, now)
    start = datetime.strptime(slot, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    assert start <= now < start + timedelta(minutes=5)
    assert start.minute % 5 == 0
