"""parse_register_date: the date formats registers are written in, UK day-first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.register_import.reading import parse_register_date
from cmetrack.register_import.reading.dates import EXCEL_EPOCH, SERIAL_MAX, SERIAL_MIN

TODAY = date(2026, 1, 15)

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Every format a register may use: how it writes a date (the year within 2000-2099 so that a
# two-digit year is not ambiguous for a referral date).
FORMATS: dict[str, Callable[[date], str]] = {
    "dd/mm/yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "d/m/yyyy": lambda d: f"{d.day}/{d.month}/{d.year}",
    "d/m/yy": lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
    "dd-mm-yyyy": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "dd.mm.yyyy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "yyyy-mm-dd": lambda d: d.isoformat(),
    "yyyy/mm/dd": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "d Month yyyy": lambda d: f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}",
    "d Mon yyyy": lambda d: f"{d.day} {MONTH_NAMES[d.month - 1][:3]} {d.year}",
    "dd-Mon-yy": lambda d: f"{d.day:02d}-{MONTH_NAMES[d.month - 1][:3]}-{d.year % 100:02d}",
    "Mon d, yyyy": lambda d: f"{MONTH_NAMES[d.month - 1][:3]} {d.day}, {d.year}",
    "dth Month yyyy": lambda d: f"{d.day}th {MONTH_NAMES[d.month - 1]} {d.year}",
    "iso with midnight": lambda d: f"{d.isoformat()} 00:00:00",
    "excel serial": lambda d: str((d - EXCEL_EPOCH).days),
}


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(sorted(FORMATS)),
)
def test_every_date_written_in_every_supported_format_reads_back(value: date, fmt: str) -> None:
    assert parse_register_date(FORMATS[fmt](value), today=TODAY) == value


@given(st.dates(min_value=date(1927, 1, 1), max_value=TODAY))
def test_a_two_digit_year_of_birth_is_never_in_a_year_still_to_come(value: date) -> None:
    written = f"{value.day}/{value.month}/{value.year % 100:02d}"
    assert parse_register_date(written, today=TODAY, birth=True) == value


def test_a_two_digit_year_of_birth_and_of_referral_read_differently() -> None:
    assert parse_register_date("03/09/30", today=TODAY, birth=True) == date(1930, 9, 3)
    assert parse_register_date("03/09/30", today=TODAY) == date(2030, 9, 3)


def test_day_first_is_how_a_uk_register_is_read() -> None:
    assert parse_register_date("03/09/2024", today=TODAY) == date(2024, 9, 3)


def test_blank_is_no_date() -> None:
    assert parse_register_date("  ", today=TODAY) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2019", "'31/02/2019' is not a real date"),
        ("12/13/2024", "not a real date"),
        ("2024-02-30", "not a real date"),
        ("next Tuesday", "'next Tuesday' is not a date"),
        ("3 Smarch 2024", "not a date"),
        ("1234", "not a date"),
        (str(SERIAL_MIN - 1), "not a date"),
        (str(SERIAL_MAX + 1), "not a date"),
        ("1/2/345", "not a date"),
    ],
)
def test_an_unreadable_or_impossible_date_is_a_value_error_naming_it(
    value: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_register_date(value, today=TODAY)


def test_the_serial_range_ends_are_dates() -> None:
    assert parse_register_date(str(SERIAL_MIN), today=TODAY) == date(1950, 1, 1)
    assert parse_register_date(str(SERIAL_MAX), today=TODAY) == date(2099, 12, 31)
    assert EXCEL_EPOCH + timedelta(SERIAL_MIN) == date(1950, 1, 1)


@given(st.text(max_size=40), st.booleans())
def test_any_text_is_a_date_none_or_a_value_error_never_anything_else(
    value: str, birth: bool
) -> None:
    try:
        result = parse_register_date(value, today=TODAY, birth=birth)
    except ValueError:
        return
    assert result is None or isinstance(result, date)


@given(
    st.from_regex(r"\A[0-9]{1,4}[/.\-][0-9]{1,3}[/.\-][0-9]{1,5}\Z")
    | st.from_regex(r"\A[0-9]{1,3} [A-Za-z]{2,10} [0-9]{1,5}\Z")
)
def test_date_shaped_garbage_is_a_date_or_a_value_error(value: str) -> None:
    try:
        result = parse_register_date(value, today=TODAY)
    except ValueError:
        return
    assert isinstance(result, date)
