"""The closure rules (core.closure_rules): pure, no database."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.closure_rules import (
    moved_abroad_evidence_problem,
    over_compulsory_school_age_problem,
)
from cmetrack.core.school_age import (
    compulsory_school_age_end,
    compulsory_school_age_end_given_term_start,
    needs_age_review,
)

# --- over compulsory school age ----------------------------------------------------------------


def test_a_13_year_old_is_refused_and_told_when_compulsory_school_age_ends() -> None:
    problem = over_compulsory_school_age_problem(
        date_of_birth=date(2013, 5, 10), closed_on=date(2026, 11, 3)
    )
    assert problem is not None
    # 16 on 10 May 2029: leaves on the last Friday in June 2029.
    assert "of compulsory school age until 29 June 2029" in problem
    assert "3 November 2026" in problem


def test_a_16_year_old_after_the_last_friday_in_june_is_accepted() -> None:
    # Born 23 Sep 2007 -> ends 28 Jun 2024 (STANDARDS.md's worked example).
    assert (
        over_compulsory_school_age_problem(
            date_of_birth=date(2007, 9, 23), closed_on=date(2024, 6, 29)
        )
        is None
    )


def test_the_last_friday_in_june_itself_is_still_compulsory_school_age() -> None:
    problem = over_compulsory_school_age_problem(
        date_of_birth=date(2007, 9, 23), closed_on=date(2024, 6, 28)
    )
    assert problem is not None and "until 28 June 2024" in problem


def test_a_child_with_no_date_of_birth_is_refused_and_asked_for_one() -> None:
    problem = over_compulsory_school_age_problem(date_of_birth=None, closed_on=date(2026, 7, 1))
    assert problem is not None and "date of birth" in problem


@given(
    date_of_birth=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=-800, max_value=800),
)
def test_without_term_dates_the_rule_accepts_exactly_the_days_after_the_later_end(
    date_of_birth: date, days: int
) -> None:
    end = compulsory_school_age_end(date_of_birth)
    closed_on = end + timedelta(days=days)
    accepted = over_compulsory_school_age_problem(date_of_birth=date_of_birth, closed_on=closed_on)
    assert (accepted is None) == (closed_on > end)


# --- a 16th birthday on 1-7 September (STANDARDS.md: flag for review, do not guess) ----------

REVIEW_DOB = date(2009, 9, 3)  # 16 on Wednesday 3 September 2025
EARLIER_END = date(2025, 6, 27)  # if the autumn term began after the birthday (s.8(3)(a))
LATER_END = date(2026, 6, 26)  # if it began on or before it


def test_the_review_child_has_two_possible_ends() -> None:
    assert needs_age_review(REVIEW_DOB)
    assert compulsory_school_age_end(REVIEW_DOB) == LATER_END
    assert compulsory_school_age_end_given_term_start(REVIEW_DOB, date(2025, 9, 4)) == EARLIER_END
    assert compulsory_school_age_end_given_term_start(REVIEW_DOB, date(2025, 9, 3)) == LATER_END
    assert compulsory_school_age_end_given_term_start(REVIEW_DOB, date(2025, 9, 2)) == LATER_END


@given(
    date_of_birth=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    term_day=st.integers(min_value=1, max_value=10),
)
def test_a_known_term_start_changes_the_end_only_for_a_birthday_before_it_in_september(
    date_of_birth: date, term_day: int
) -> None:
    sixteenth_year = date_of_birth.year + 16
    term_start = date(sixteenth_year, 9, term_day)
    exact = compulsory_school_age_end_given_term_start(date_of_birth, term_start)
    standard = compulsory_school_age_end(date_of_birth)
    september_before_term = (
        date_of_birth.month == 9 and date(sixteenth_year, 9, date_of_birth.day) < term_start
    )
    assert (exact != standard) == september_before_term
    assert exact <= standard


def test_between_the_two_ends_without_term_dates_the_review_child_is_refused_with_both() -> None:
    problem = over_compulsory_school_age_problem(
        date_of_birth=REVIEW_DOB, closed_on=date(2025, 10, 1)
    )
    assert problem is not None
    assert "27 June 2025" in problem and "26 June 2026" in problem
    assert "term dates for 2025/26" in problem


def test_between_the_two_ends_a_late_term_start_lets_the_review_child_close() -> None:
    assert (
        over_compulsory_school_age_problem(
            date_of_birth=REVIEW_DOB,
            closed_on=date(2025, 10, 1),
            autumn_term_start=date(2025, 9, 4),
        )
        is None
    )


def test_between_the_two_ends_an_early_term_start_keeps_the_review_child_of_school_age() -> None:
    problem = over_compulsory_school_age_problem(
        date_of_birth=REVIEW_DOB, closed_on=date(2025, 10, 1), autumn_term_start=date(2025, 9, 2)
    )
    assert problem is not None and "until 26 June 2026" in problem


@pytest.mark.parametrize("term_start", [None, date(2025, 9, 4), date(2025, 9, 2)])
def test_before_the_earlier_end_the_review_child_is_refused_whatever_the_term(
    term_start: date | None,
) -> None:
    problem = over_compulsory_school_age_problem(
        date_of_birth=REVIEW_DOB, closed_on=date(2025, 3, 1), autumn_term_start=term_start
    )
    assert problem is not None and "of compulsory school age until" in problem


def test_after_the_later_end_the_review_child_closes_without_term_dates() -> None:
    assert (
        over_compulsory_school_age_problem(date_of_birth=REVIEW_DOB, closed_on=date(2026, 6, 27))
        is None
    )


# --- moved abroad (confirmed) -----------------------------------------------------------------


@pytest.mark.parametrize("evidence", ["", "   ", "\n\t"])
def test_moved_abroad_without_evidence_is_refused_with_an_example(evidence: str) -> None:
    problem = moved_abroad_evidence_problem(evidence)
    assert problem is not None and "for example" in problem


def test_moved_abroad_with_evidence_is_accepted() -> None:
    assert moved_abroad_evidence_problem("Confirmed by the receiving school in Poland") is None
