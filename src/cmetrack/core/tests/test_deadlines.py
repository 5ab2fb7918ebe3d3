from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.core.deadlines import CaseFacts, Deadline, DeadlineKind, Timescales, case_deadlines
from cmetrack.core.school_calendar import NoTermDatesError, SchoolCalendar
from cmetrack.core.term_dates_csv import bundled_term_dates_text, parse_term_dates_csv


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    result = parse_term_dates_csv(bundled_term_dates_text())
    assert result.ok
    return SchoolCalendar(result.calendars)


def kinds(deadlines: list[Deadline]) -> dict[DeadlineKind, date]:
    return {d.kind: d.due for d in deadlines}


def test_a_new_referral_carries_home_visit_first_review_and_enquiries_deadlines(
    calendar: SchoolCalendar,
) -> None:
    # Tue 1 Dec 2026: term runs to Fri 18 Dec, spring starts Mon 4 Jan 2027 with an INSET day.
    facts = CaseFacts(
        referral_date=date(2026, 12, 1), status="referred", status_since=date(2026, 12, 1)
    )
    due = kinds(case_deadlines(facts, calendar, Timescales()))
    assert due[DeadlineKind.HOME_VISIT] == date(2026, 12, 8)  # 5 school days: Wed..Tue
    # 10 school days: 2..4, 7..11, 14..15 Dec
    assert due[DeadlineKind.FIRST_REVIEW] == date(2026, 12, 15)
    assert DeadlineKind.ENQUIRIES_COMPLETE in due


def test_the_christmas_holiday_and_inset_day_do_not_count(calendar: SchoolCalendar) -> None:
    # Wed 16 Dec 2026: school days 17, 18 Dec, then 5, 6, 7 Jan (4 Jan is INSET).
    facts = CaseFacts(
        referral_date=date(2026, 12, 16), status="enquiries", status_since=date(2026, 12, 16)
    )
    assert kinds(case_deadlines(facts, calendar, Timescales()))[DeadlineKind.HOME_VISIT] == date(
        2027, 1, 7
    )


def test_a_home_visit_already_done_is_not_asked_for_again(calendar: SchoolCalendar) -> None:
    facts = CaseFacts(
        referral_date=date(2026, 12, 1),
        status="enquiries",
        status_since=date(2026, 12, 1),
        home_visit_done=True,
    )
    assert DeadlineKind.HOME_VISIT not in kinds(case_deadlines(facts, calendar, Timescales()))


def test_a_placed_child_needs_attendance_confirmed_ten_school_days_after_placement(
    calendar: SchoolCalendar,
) -> None:
    facts = CaseFacts(
        referral_date=date(2026, 10, 1), status="placed", status_since=date(2026, 11, 2)
    )
    deadlines = case_deadlines(facts, calendar, Timescales())
    assert [d.kind for d in deadlines] == [DeadlineKind.ATTENDANCE_CONFIRMATION]
    assert deadlines[0].due == date(2026, 11, 16)


def test_an_untraced_child_is_reviewed_on_the_first_day_of_next_term_not_after_half_term(
    calendar: SchoolCalendar,
) -> None:
    facts = CaseFacts(
        referral_date=date(2026, 9, 10), status="untraced", status_since=date(2026, 10, 5)
    )
    deadlines = case_deadlines(facts, calendar, Timescales())
    # Autumn half-term (26-30 Oct) is skipped; spring term's first pupil day is Tue 5 Jan 2027.
    assert deadlines[0].due == date(2027, 1, 5)


def test_after_a_termly_review_the_next_falls_a_term_later(calendar: SchoolCalendar) -> None:
    facts = CaseFacts(
        referral_date=date(2026, 9, 10),
        status="untraced",
        status_since=date(2026, 10, 5),
        last_review_done=date(2027, 1, 6),
    )
    due = case_deadlines(facts, calendar, Timescales())[0]
    assert due.due == date(2027, 4, 12)
    assert due.rule_key == "untraced_review:2027-01-06"


@pytest.mark.parametrize("status", ["located", "transferred", "closed"])
def test_statuses_without_a_timescale_carry_no_deadline(
    calendar: SchoolCalendar, status: str
) -> None:
    facts = CaseFacts(
        referral_date=date(2026, 10, 1), status=status, status_since=date(2026, 10, 5)
    )
    assert case_deadlines(facts, calendar, Timescales()) == []


def test_a_deadline_beyond_the_loaded_term_dates_is_an_error_not_a_guess(
    calendar: SchoolCalendar,
) -> None:
    facts = CaseFacts(
        referral_date=date(2027, 7, 15), status="referred", status_since=date(2027, 7, 15)
    )
    with pytest.raises(NoTermDatesError, match="2027/28"):
        case_deadlines(facts, calendar, Timescales())


def test_timescales_are_configurable_and_bad_settings_are_refused() -> None:
    assert Timescales.from_settings({"home_visit": 3}).home_visit == 3
    assert Timescales.from_settings(None) == Timescales()
    with pytest.raises(ValueError, match="Unknown timescale"):
        Timescales.from_settings({"home_vist": 3})
    with pytest.raises(ValueError, match="whole number"):
        Timescales.from_settings({"home_visit": -1})


@settings(max_examples=80, deadline=None)
@given(
    st.dates(min_value=date(2024, 9, 1), max_value=date(2026, 12, 31)),
    st.sampled_from(["referred", "enquiries"]),
)
def test_deadlines_fall_on_school_days_in_order_and_rule_keys_are_stable(
    referral: date, status: str
) -> None:
    calendar = SchoolCalendar(parse_term_dates_csv(bundled_term_dates_text()).calendars)
    facts = CaseFacts(referral_date=referral, status=status, status_since=referral)
    first = case_deadlines(facts, calendar, Timescales())
    assert first == case_deadlines(facts, calendar, Timescales())
    assert all(calendar.is_school_day(d.due) and d.due > referral for d in first)
    due = kinds(first)
    assert (
        due[DeadlineKind.HOME_VISIT]
        < due[DeadlineKind.FIRST_REVIEW]
        < due[DeadlineKind.ENQUIRIES_COMPLETE]
    )


def test_a_new_pupil_return_is_due_by_the_fifth_calendar_day_after_the_name_is_entered() -> None:
    from cmetrack.core.deadlines import new_pupil_return_due

    # Regulation 13(1) counts days, holidays included: entered Thu 17 Dec 2026, due Tue 22 Dec.
    assert new_pupil_return_due(date(2026, 12, 17), Timescales()) == date(2026, 12, 22)


@pytest.mark.parametrize(
    ("start", "youngest", "la_asks", "required"),
    [
        (date(2026, 9, 3), True, False, False),  # reception, first day: exempt (13(2))
        (date(2026, 9, 3), True, True, True),  # unless the LA asks (13(3))
        (date(2026, 9, 4), True, False, True),  # reception, a later day
        (date(2026, 9, 3), False, False, True),  # an older class on the first day
    ],
)
def test_the_youngest_class_on_the_first_day_needs_no_new_pupil_return_unless_the_la_asks(
    start: date, youngest: bool, la_asks: bool, required: bool
) -> None:
    from cmetrack.core.deadlines import new_pupil_return_required

    assert (
        new_pupil_return_required(
            start_date=start,
            first_day_of_year=date(2026, 9, 3),
            youngest_class=youngest,
            la_asks=la_asks,
        )
        is required
    )


def test_joint_enquiry_confirmation_is_due_five_school_days_after_the_return(
    calendar: SchoolCalendar,
) -> None:
    from cmetrack.core.deadlines import joint_enquiry_confirmation_due

    assert joint_enquiry_confirmation_due(date(2026, 12, 1), calendar, Timescales()) == date(
        2026, 12, 8
    )


@pytest.mark.parametrize(
    ("ground", "trigger", "earliest"),
    [
        # (h): leave ended Fri 6 Nov 2026, due back Mon 9 Nov; not back for the 10 school days
        # 9-20 Nov, so removal from Mon 23 Nov.
        ("h", date(2026, 11, 6), date(2026, 11, 23)),
        ("(i)", date(2026, 11, 2), date(2026, 12, 1)),
        ("g", date(2026, 11, 2), None),
    ],
)
def test_grounds_h_and_i_have_an_earliest_lawful_removal_date(
    calendar: SchoolCalendar, ground: str, trigger: date, earliest: date | None
) -> None:
    from cmetrack.core.deadlines import earliest_removal_date

    assert earliest_removal_date(ground, trigger, calendar, Timescales()) == earliest
