"""return_facts, the return's one-pass replay, gives what the plain rules give (issue 10).

The plain rules (history, counted_on, missing_since, counted_during) are what test_census.py
checks by hand; here generated histories, backdated and out-of-order changes, reopenings,
school-age limits and off-roll dates included, must give the same three answers both ways."""

from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cmetrack.core.census import (
    NOT_COUNTED,
    CaseState,
    Change,
    ChangeRow,
    ReturnFacts,
    counted_during,
    counted_on,
    history,
    missing_since,
    previous_academic_year,
    return_facts,
)

CENSUS = date(2026, 10, 1)
PERIOD = previous_academic_year(CENSUS)
DOB = date(2014, 1, 10)  # of compulsory school age throughout 2025/26 and on the census date

STATUSES = ["referred", "enquiries", "located", "placed", "transferred", "untraced", "closed"]
CATEGORIES = ["cme", "at_risk"]
REASONS = ["whereabouts-unknown", "awaiting-place", "other", ""]

days = st.dates(min_value=date(2024, 9, 1), max_value=date(2027, 8, 31))
states = st.tuples(st.sampled_from(STATUSES), st.sampled_from(CATEGORIES), st.sampled_from(REASONS))


def _change(field: str, values: list[str]) -> st.SearchStrategy[ChangeRow]:
    return st.tuples(
        days, st.just(field), st.none() | st.sampled_from(values), st.sampled_from(values)
    )


changes_strategy = st.lists(
    st.one_of(
        _change("status", STATUSES), _change("category", CATEGORIES), _change("reason", REASONS)
    ),
    max_size=10,
)


def plainly(
    referral: date,
    current: tuple[str, str, str],
    changes: list[ChangeRow],
    *,
    census: date,
    period: tuple[date, date],
    date_of_birth: date | None,
    off_roll_on: date | None,
    date_last_attended: date | None,
) -> ReturnFacts:
    """The same answers from the plain rules, the way the return worked them out before."""
    steps = history(referral, CaseState(*current), [Change(*change) for change in changes])
    on_census = counted_on(steps, census, date_of_birth=date_of_birth, off_roll_on=off_roll_on)
    during = counted_during(steps, *period, date_of_birth=date_of_birth, off_roll_on=off_roll_on)
    since = (
        missing_since(steps, census, referral_date=referral, date_last_attended=date_last_attended)
        if on_census is not None
        else None
    )
    return ReturnFacts(
        on_census.reason if on_census is not None else None,
        since,
        during.reason if during is not None else None,
    )


@settings(max_examples=1500, deadline=None)
@given(
    referral=days,
    current=states,
    changes=changes_strategy,
    census=days,
    period_start=days,
    period_days=st.integers(min_value=0, max_value=400),
    dob=st.none() | st.dates(date(2008, 1, 1), date(2022, 1, 1)),
    off_roll=st.none() | days,
    last_attended=st.none() | days,
)
# A case reopened after a backdated closure, counted again before the census date.
@example(
    referral=date(2025, 10, 1),
    current=("enquiries", "cme", "other"),
    changes=[
        (date(2026, 3, 1), "status", "enquiries", "placed"),
        (date(2026, 2, 1), "status", "placed", "closed"),
        (date(2026, 9, 1), "status", "closed", "enquiries"),
    ],
    census=CENSUS,
    period_start=PERIOD[0],
    period_days=364,
    dob=DOB,
    off_roll=None,
    last_attended=date(2025, 9, 20),
)
def test_the_one_pass_replay_gives_the_plain_rules_answers(
    referral: date,
    current: tuple[str, str, str],
    changes: list[ChangeRow],
    census: date,
    period_start: date,
    period_days: int,
    dob: date | None,
    off_roll: date | None,
    last_attended: date | None,
) -> None:
    period = (period_start, period_start + timedelta(days=period_days))
    fast = return_facts(
        referral,
        current,
        changes,
        census=census,
        period=period,
        date_of_birth=dob,
        off_roll_on=off_roll,
        date_last_attended=last_attended,
    )
    assert fast == plainly(
        referral,
        current,
        changes,
        census=census,
        period=period,
        date_of_birth=dob,
        off_roll_on=off_roll,
        date_last_attended=last_attended,
    )


def test_a_case_never_missing_education_gives_nothing() -> None:
    facts = return_facts(
        date(2026, 9, 1),
        ("enquiries", "at_risk", "other"),
        [],
        census=CENSUS,
        period=PERIOD,
        date_of_birth=DOB,
        off_roll_on=None,
        date_last_attended=None,
    )
    assert facts == NOT_COUNTED


def test_a_case_closed_before_the_census_counts_only_in_the_year_before() -> None:
    facts = return_facts(
        date(2026, 1, 5),
        ("closed", "cme", "other"),
        [(date(2026, 3, 1), "status", "enquiries", "closed")],
        census=CENSUS,
        period=PERIOD,
        date_of_birth=DOB,
        off_roll_on=None,
        date_last_attended=None,
    )
    assert facts == ReturnFacts(None, None, "other")


def test_the_census_reason_is_that_days_and_the_spell_runs_from_the_last_attendance() -> None:
    facts = return_facts(
        date(2026, 9, 1),
        ("enquiries", "cme", "moved-abroad-believed"),
        [(CENSUS + timedelta(days=3), "reason", "awaiting-place", "moved-abroad-believed")],
        census=CENSUS,
        period=PERIOD,
        date_of_birth=DOB,
        off_roll_on=None,
        date_last_attended=date(2026, 7, 10),
    )
    assert facts == ReturnFacts("awaiting-place", date(2026, 7, 10), None)
