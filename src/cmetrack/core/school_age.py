"""Compulsory school age (Education Act 1996, s.8) as pure date arithmetic.

Rules from the project's STANDARDS.md, "Compulsory school age". No Django imports: models,
forms, reports and imports all use these rules, and they must be testable without a database.

29 February birthdays: we take the 5th/16th birthday of a 29 Feb child to fall on 1 March in a
non-leap year (the usual reading of "attaining an age" in English law). The choice cannot change
any result here: 28 Feb and 1 Mar both lead to the 31 March prescribed day, and both fall in the
same September-August school year, so the start and end dates are the same either way.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# The prescribed days (month, day), in calendar order. The Act leaves the days to regulations;
# these three have been fixed since 1998 (Education (Start of Compulsory School Age) Order).
PRESCRIBED_DAYS: tuple[tuple[int, int], ...] = ((3, 31), (8, 31), (12, 31))

# Statutory school leaving date: the last Friday in June.
_LEAVING_MONTH = 6

# A 16th birthday on 1 Sep .. this day of September may fall *before* the first day of the
# autumn term. The Act counts the "school year" from the start of that term, not from 1 Sep, so
# such a child may leave a year earlier than the Sept-Aug reading gives. Real term dates are LA
# data we do not have here; autumn terms in England almost always start in the first week of
# September, so 1-7 Sep is the window we flag for a human to review rather than guess.
AGE_REVIEW_LAST_SEPTEMBER_DAY = 7


def birthday(date_of_birth: date, years: int) -> date:
    """The date the person attains `years` years of age (29 Feb -> 1 Mar in non-leap years)."""
    year = date_of_birth.year + years
    if date_of_birth.month == 2 and date_of_birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date_of_birth.replace(year=year)


def compulsory_school_age_start(date_of_birth: date) -> date:
    """First prescribed day on or after the 5th birthday (a birthday *on* one counts)."""
    fifth = birthday(date_of_birth, 5)
    for month, day in PRESCRIBED_DAYS:
        candidate = date(fifth.year, month, day)
        if candidate >= fifth:
            return candidate
    # Unreachable: 31 December is on or after every day of its year.
    raise AssertionError("no prescribed day found")  # pragma: no cover


def _last_friday_in_june(year: int) -> date:
    last_day = date(year, _LEAVING_MONTH, 30)
    # date.weekday(): Monday=0 .. Friday=4; step back to the nearest Friday.
    return last_day - timedelta(days=(last_day.weekday() - calendar.FRIDAY) % 7)


def compulsory_school_age_end(date_of_birth: date) -> date:
    """Last Friday in June of the Sept-Aug school year in which the child turns 16.

    A 16th birthday in September-December belongs to the school year ending the next summer.
    Children whose birthday falls in the 1-7 Sep window are flagged by `needs_age_review`.
    """
    sixteenth = birthday(date_of_birth, 16)
    leaving_year = sixteenth.year + 1 if sixteenth.month >= 9 else sixteenth.year
    return _last_friday_in_june(leaving_year)


def compulsory_school_age_end_given_term_start(
    date_of_birth: date, autumn_term_start: date
) -> date:
    """The end when the first day of the autumn term in the year of the 16th birthday is known.

    s.8(3)(a): a 16th birthday after the leaving date but before the next school year begins
    ends compulsory school age on that leaving date. That settles the children
    `needs_age_review` flags (a birthday on 1-7 September, before a late term start); for
    everyone else it gives `compulsory_school_age_end`.
    """
    sixteenth = birthday(date_of_birth, 16)
    leaving_day = _last_friday_in_june(sixteenth.year)
    if leaving_day < sixteenth < autumn_term_start:
        return leaving_day
    return compulsory_school_age_end(date_of_birth)


def is_compulsory_school_age(date_of_birth: date, on: date) -> bool:
    """True from the start of the start day to the end of the leaving day, both inclusive."""
    return (
        compulsory_school_age_start(date_of_birth) <= on <= compulsory_school_age_end(date_of_birth)
    )


def needs_age_review(date_of_birth: date) -> bool:
    """True if the 16th birthday may precede the autumn term start (see constant above)."""
    sixteenth = birthday(date_of_birth, 16)
    return sixteenth.month == 9 and sixteenth.day <= AGE_REVIEW_LAST_SEPTEMBER_DAY


class AgeStatus(StrEnum):
    # StrEnum so values compare equal to the plain strings and drop into Django choices.
    BELOW = "below"
    COMPULSORY = "compulsory"
    ABOVE = "above"


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(value: date) -> str:
    """'26 June 2026', for messages and letters."""
    # Spelled out rather than strftime("%B") so the text never depends on the process locale.
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


@dataclass(frozen=True, slots=True)
class SchoolAgeStatus:
    status: AgeStatus
    starts_on: date
    ends_on: date
    needs_review: bool

    def describe(self) -> str:
        """Plain English for screens and letters, e.g. 'reaches compulsory school age on ...'."""
        if self.status is AgeStatus.BELOW:
            return f"reaches compulsory school age on {long_date(self.starts_on)}"
        if self.status is AgeStatus.COMPULSORY:
            return f"of compulsory school age until {long_date(self.ends_on)}"
        return f"ceased to be of compulsory school age on {long_date(self.ends_on)}"


def school_age_status(date_of_birth: date, on: date) -> SchoolAgeStatus:
    start = compulsory_school_age_start(date_of_birth)
    end = compulsory_school_age_end(date_of_birth)
    if on < start:
        status = AgeStatus.BELOW
    elif on <= end:
        status = AgeStatus.COMPULSORY
    else:
        status = AgeStatus.ABOVE
    return SchoolAgeStatus(status, start, end, needs_age_review(date_of_birth))
