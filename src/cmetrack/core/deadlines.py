"""Statutory and local deadlines of a CME case (DOMAIN.md §5, "Timescales").

Pure rules: given what is known about a case and the authority's school calendar, which
deadlines does it carry and when is each due. Every timescale is configurable per authority;
the defaults are the guidance's. Counting follows SchoolCalendar: day 0 is the trigger date and
"within N school days" is the N-th school day after it.
"""

from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from .grounds import ground_or_none
from .school_calendar import SchoolCalendar


class DeadlineKind(StrEnum):
    HOME_VISIT = "home_visit"
    FIRST_REVIEW = "first_review"
    ENQUIRIES_COMPLETE = "enquiries_complete"
    ATTENDANCE_CONFIRMATION = "attendance_confirmation"
    UNTRACED_REVIEW = "untraced_review"


LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.HOME_VISIT: "Home visit",
    DeadlineKind.FIRST_REVIEW: "First review of enquiries",
    DeadlineKind.ENQUIRIES_COMPLETE: "Complete reasonable enquiries",
    DeadlineKind.ATTENDANCE_CONFIRMATION: "Confirm the child is attending",
    DeadlineKind.UNTRACED_REVIEW: "Termly review of an untraced child",
}


@dataclass(frozen=True)
class Timescales:
    """School days unless the name says otherwise. Defaults from DOMAIN.md §5."""

    home_visit: int = 5
    first_review: int = 10
    # "Typical completion 6-8 weeks": 40 school days is eight school weeks.
    enquiries_complete: int = 40
    attendance_confirmation: int = 10
    # Untraced children are reviewed every term: on the first school day of the next term.
    untraced_review_terms: int = 1
    # Intake: a school's new-pupil return is due by the end of the 5th *calendar* day after the
    # pupil's name is entered (SI 2024/208 reg 13(1)); the LA confirms (or not) that joint
    # enquiries are exhausted for a ground (h)/(i) removal.
    new_pupil_return: int = 5
    joint_enquiry_confirmation: int = 5
    # A deletion naming a new school (grounds (a), (g), (n)) waits this many school days after
    # the expected start for that school's new-pupil return or the receiving LA's confirmation.
    destination_confirmation: int = 10
    # Regulation 9(1): (h) not back 10 school days after authorised leave; (i) 20 continuous
    # school days of absence. A removal may not come earlier than this.
    ground_h_school_days: int = 10
    ground_i_school_days: int = 20

    @classmethod
    def from_settings(cls, overrides: dict[str, Any] | None) -> "Timescales":
        """Build from settings.CMETRACK_TIMESCALES, refusing unknown names and bad numbers."""
        if not overrides:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"Unknown timescale(s): {', '.join(sorted(unknown))}")
        for name, value in overrides.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Timescale {name} must be a whole number of days, 0 or more")
        return replace(cls(), **overrides)


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case; no ORM objects."""

    referral_date: date
    status: str
    status_since: date
    home_visit_done: bool = False
    # The last completed termly review of an untraced child: the next one is a term after it.
    last_review_done: date | None = None


@dataclass(frozen=True, order=True)
class Deadline:
    due: date
    kind: DeadlineKind
    # Stable per case and trigger, so the daily job can create each task once (idempotence).
    rule_key: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]


_ENQUIRING = {"referred", "enquiries"}
_TERM_BREAK_DAYS = 14


def _untraced_review_due(calendar: SchoolCalendar, since: date, terms: int) -> date:
    """First school day of the term `terms` after the one `since` falls in (or follows).

    Terms here are the three of the school year (autumn, spring, summer), not half-terms."""
    day = since
    for _ in range(terms):
        # Walk school day by school day to the next break of more than two weeks: the
        # Christmas, Easter or summer holiday between the three terms. Half-terms (9-11 days
        # with an INSET day) and bank-holiday weekends are shorter and do not count.
        while True:
            following = calendar.next_school_day(day)
            if (following - day).days > _TERM_BREAK_DAYS:
                day = following
                break
            day = following
    return day


def case_deadlines(
    facts: CaseFacts, calendar: SchoolCalendar, timescales: Timescales
) -> list[Deadline]:
    """The deadlines a case carries in its current status, soonest first.

    Raises NoTermDatesError when the calendar lacks a year the rules need: never a guess.
    """
    t = timescales
    found: list[Deadline] = []
    referred = facts.referral_date
    if facts.status in _ENQUIRING:
        if not facts.home_visit_done:
            found.append(
                Deadline(
                    calendar.add_school_days(referred, t.home_visit),
                    DeadlineKind.HOME_VISIT,
                    f"home_visit:{referred}",
                )
            )
        found.append(
            Deadline(
                calendar.add_school_days(referred, t.first_review),
                DeadlineKind.FIRST_REVIEW,
                f"first_review:{referred}",
            )
        )
        found.append(
            Deadline(
                calendar.add_school_days(referred, t.enquiries_complete),
                DeadlineKind.ENQUIRIES_COMPLETE,
                f"enquiries_complete:{referred}",
            )
        )
    elif facts.status == "placed":
        since = facts.status_since
        found.append(
            Deadline(
                calendar.add_school_days(since, t.attendance_confirmation),
                DeadlineKind.ATTENDANCE_CONFIRMATION,
                f"attendance_confirmation:{since}",
            )
        )
    elif facts.status == "untraced":
        since = max(facts.status_since, facts.last_review_done or facts.status_since)
        found.append(
            Deadline(
                _untraced_review_due(calendar, since, t.untraced_review_terms),
                DeadlineKind.UNTRACED_REVIEW,
                f"untraced_review:{since}",
            )
        )
    return sorted(found)


def new_pupil_return_due(start_date: date, timescales: Timescales) -> date:
    """The last day a school's new-pupil return is on time: the end of the N-th calendar day
    after the name is entered (regulation 13(1) counts days, not school days)."""
    return start_date + timedelta(days=timescales.new_pupil_return)


def new_pupil_return_required(
    *, start_date: date, first_day_of_year: date, youngest_class: bool, la_asks: bool
) -> bool:
    """Regulation 13(2)-(3): no return is needed for a pupil entered in the school's youngest
    class on the first day of the school year, unless the LA has asked for them."""
    exempt = youngest_class and start_date == first_day_of_year
    return la_asks or not exempt


def destination_confirmation_due(
    expected_start: date, calendar: SchoolCalendar, timescales: Timescales
) -> date:
    """When a destination a deletion return named (a new school) must have been confirmed."""
    return calendar.add_school_days(expected_start, timescales.destination_confirmation)


def joint_enquiry_confirmation_due(
    received: date, calendar: SchoolCalendar, timescales: Timescales
) -> date:
    """When the LA should have confirmed (or refused) that joint enquiries are exhausted for a
    removal under ground (h) or (i), counted from the day the school's return arrived."""
    return calendar.add_school_days(received, timescales.joint_enquiry_confirmation)


def earliest_removal_date(
    ground: str, trigger: date, calendar: SchoolCalendar, timescales: Timescales
) -> date | None:
    """The first day a pupil may lawfully come off roll under ground (h) or (i).

    `trigger` is day 0 of the waiting period: for (h) the last day of the authorised leave (the
    pupil was due back the next school day); for (i) the last day the pupil attended. None for
    other grounds, which carry no such waiting period."""
    found = ground_or_none(ground)
    if found is None or not found.waiting_timescale:
        return None
    waiting: int = getattr(timescales, found.waiting_timescale)
    # The waiting days must pass in full: removal is possible on the school day after them.
    return calendar.next_school_day(calendar.add_school_days(trigger, waiting))
