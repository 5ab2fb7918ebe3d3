from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.census import (
    COUNTED_STATUSES,
    CaseState,
    Change,
    counted_during,
    counted_on,
    history,
    initial_state,
    length_band,
    missing_since,
    on_roll,
    previous_academic_year,
    state_on,
    year_group_on,
)

CENSUS = date(2026, 10, 1)
OPEN = CaseState("enquiries", "cme", "whereabouts-unknown")
DOB = date(2014, 1, 10)  # Year 7 in 2025/26, of compulsory school age throughout


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
    closed = Change(CENSUS, "status", "enquiries", "closed")
    steps = history(date(2026, 9, 1), CaseState("closed", "cme", "other"), [closed])
    assert counted_on(steps, CENSUS - timedelta(days=1), date_of_birth=DOB, off_roll_on=None)
    assert counted_on(steps, CENSUS, date_of_birth=DOB, off_roll_on=None) is None


def test_a_case_placed_the_day_after_the_census_counts_on_it() -> None:
    placed = Change(CENSUS + timedelta(days=1), "status", "enquiries", "placed")
    steps = history(date(2026, 9, 1), CaseState("placed", "cme", "other"), [placed])
    assert counted_on(steps, CENSUS, date_of_birth=DOB, off_roll_on=None) == CaseState(
        "enquiries", "cme", "other"
    )


def test_the_state_on_a_day_has_the_reason_and_category_of_that_day() -> None:
    changes = [
        Change(CENSUS + timedelta(days=3), "reason", "awaiting-place", "moved-abroad-believed"),
        Change(CENSUS + timedelta(days=5), "category", "cme", "at_risk"),
    ]
    now = CaseState("enquiries", "at_risk", "moved-abroad-believed")
    steps = history(date(2026, 9, 1), now, changes)
    assert state_on(steps, CENSUS) == CaseState("enquiries", "cme", "awaiting-place")
    assert state_on(steps, CENSUS + timedelta(days=4)) == CaseState(
        "enquiries", "cme", "moved-abroad-believed"
    )
    assert (
        counted_on(steps, CENSUS + timedelta(days=5), date_of_birth=DOB, off_roll_on=None) is None
    )


def test_a_backdated_closure_replaces_changes_recorded_for_the_days_it_covers() -> None:
    changes = [
        Change(date(2026, 9, 20), "status", "enquiries", "placed"),
        Change(date(2026, 9, 10), "status", "placed", "closed"),
    ]
    steps = history(date(2026, 9, 1), CaseState("closed", "cme", "other"), changes)
    assert state_on(steps, date(2026, 9, 25)) == CaseState("closed", "cme", "other")
    assert state_on(steps, date(2026, 9, 9)) == CaseState("enquiries", "cme", "other")


def test_a_child_still_on_a_roll_is_not_cme() -> None:
    steps = history(date(2026, 9, 1), OPEN, [])
    assert on_roll(CENSUS + timedelta(days=1), CENSUS)
    assert (
        counted_on(steps, CENSUS, date_of_birth=DOB, off_roll_on=CENSUS + timedelta(days=1)) is None
    )
    assert counted_on(steps, CENSUS, date_of_birth=DOB, off_roll_on=CENSUS) == OPEN


def test_a_child_past_compulsory_school_age_is_not_cme() -> None:
    # 16 on 15 November 2025: compulsory school age ends on the last Friday of June 2026.
    dob = date(2009, 11, 15)
    steps = history(date(2025, 10, 1), OPEN, [])
    assert counted_on(steps, date(2026, 1, 15), date_of_birth=dob, off_roll_on=None) == OPEN
    assert counted_on(steps, date(2026, 6, 26), date_of_birth=dob, off_roll_on=None) == OPEN
    assert counted_on(steps, date(2026, 6, 29), date_of_birth=dob, off_roll_on=None) is None
    assert counted_on(steps, CENSUS, date_of_birth=dob, off_roll_on=None) is None
    start, end = previous_academic_year(CENSUS)
    assert counted_during(steps, start, end, date_of_birth=dob, off_roll_on=None) == OPEN


def test_a_reopened_case_starts_a_new_spell_on_the_day_it_reopened() -> None:
    changes = [
        Change(date(2026, 3, 1), "status", "enquiries", "closed"),
        Change(date(2026, 9, 15), "status", "closed", "enquiries"),
    ]
    steps = history(date(2026, 1, 5), OPEN, changes)
    assert missing_since(
        steps, CENSUS, referral_date=date(2026, 1, 5), date_last_attended=date(2025, 12, 1)
    ) == date(2026, 9, 15)
    assert missing_since(
        steps, date(2026, 2, 1), referral_date=date(2026, 1, 5), date_last_attended=None
    ) == date(2026, 1, 5)


def test_the_first_change_of_a_field_says_what_the_case_opened_with() -> None:
    changes = [Change(CENSUS, "reason", "other", "excluded"), Change(CENSUS, "reason", "x", "y")]
    assert initial_state(CaseState("placed", "cme", "y"), changes) == CaseState(
        "placed", "cme", "other"
    )


statuses = st.sampled_from(
    ["referred", "enquiries", "located", "placed", "transferred", "untraced", "closed"]
)
days = st.dates(min_value=date(2024, 9, 1), max_value=date(2027, 8, 31))
changes_strategy = st.lists(
    st.one_of(
        st.builds(Change, on=days, field=st.just("status"), old=st.none() | statuses, new=statuses),
        st.builds(
            Change,
            on=days,
            field=st.just("category"),
            old=st.none() | st.sampled_from(["cme", "at_risk"]),
            new=st.sampled_from(["cme", "at_risk"]),
        ),
    ),
    max_size=8,
)


@given(
    referral=days,
    changes=changes_strategy,
    day=days,
    dob=st.none() | st.dates(date(2008, 1, 1), date(2021, 1, 1)),
)
def test_a_case_counts_on_a_day_only_in_a_counted_status_and_true_cme(
    referral: date, changes: list[Change], day: date, dob: date | None
) -> None:
    steps = history(referral, OPEN, changes)
    state = counted_on(steps, day, date_of_birth=dob, off_roll_on=None)
    if state is not None:
        assert state.category == "cme" and state.status in COUNTED_STATUSES
        assert day >= referral
    assert [s.on for s in steps] == sorted(s.on for s in steps)


@given(referral=days, changes=changes_strategy, day=days, off_roll=st.none() | days)
def test_a_case_counted_on_a_day_counts_in_any_period_containing_it(
    referral: date, changes: list[Change], day: date, off_roll: date | None
) -> None:
    steps = history(referral, OPEN, changes)
    if counted_on(steps, day, date_of_birth=DOB, off_roll_on=off_roll) is not None:
        around = (day - timedelta(days=3), day + timedelta(days=3))
        assert counted_during(steps, *around, date_of_birth=DOB, off_roll_on=off_roll) is not None
    start, end = previous_academic_year(day)
    counted = counted_during(steps, start, end, date_of_birth=DOB, off_roll_on=off_roll)
    some_day = any(
        counted_on(steps, start + timedelta(days=n), date_of_birth=DOB, off_roll_on=off_roll)
        for n in range((end - start).days + 1)
    )
    assert (counted is not None) == some_day


@given(referral=days, changes=changes_strategy, day=days)
def test_changes_recorded_after_a_day_never_change_that_days_state(
    referral: date, changes: list[Change], day: date
) -> None:
    later = Change(day + timedelta(days=1), "status", None, "placed")
    before = history(referral, OPEN, changes)
    after = history(referral, OPEN, [*changes, later])
    assert state_on(before, day) == state_on(after, day)


@given(days)
def test_the_previous_academic_year_runs_september_to_august_before_the_census(day: date) -> None:
    start, end = previous_academic_year(day)
    assert (start.month, start.day, end.month, end.day) == (9, 1, 8, 31)
    assert end < day and (day - end).days <= 366
