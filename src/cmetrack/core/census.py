"""The DfE's termly CME collection, as pure rules (DOMAIN.md §7, STANDARDS.md).

Aggregate counts only. A case's state on a day is rebuilt from its recorded changes (status,
category, primary reason), so the same census date gives the same figures however the case has
moved since. Which children count on a day, in which length band and year group, is decided
here; reading the history from the database is reports.history's job.

Days are whole days: the state "on" a day is the state at the end of it, so a case closed or
placed on the census date itself does not count that day (the child was back in education), and
one placed the day after does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from .school_age import compulsory_school_age_end, compulsory_school_age_start
from .year_group import national_curriculum_year, year_group_label


@dataclass(frozen=True)
class Band:
    label: str
    max_days: int | None  # inclusive upper bound in calendar days; None: no upper bound


# 12 weeks = 84 days: "12 weeks or less" and "more than 12 weeks" (STANDARDS.md). The labels
# and limits the return uses come from the collection's code list (reports.CollectionCode);
# these are the defaults and what the rules are tested with.
BANDS: tuple[Band, ...] = (Band("12 weeks or less", 84), Band("more than 12 weeks", None))
UNKNOWN_LENGTH = "unknown"
SEX_LABELS = {"F": "female", "M": "male", "U": "unknown"}
# Reception to Year 11 are reported; anything else is shown apart so it can be checked.
REPORTED_YEARS = tuple(range(0, 12))

# Case statuses (cases.status.Status values) in which a true CME child counts. `placed` is on a
# school roll or in provision; `transferred` lives in another authority, which counts them;
# `closed` is back in education or no longer this team's. Strings, not the enum: core imports
# no app (the reports tests check every value is a Status).
COUNTED_STATUSES = frozenset({"referred", "enquiries", "located", "untraced"})
CLOSED_STATUS = "closed"
CME_CATEGORY = "cme"
FIELDS = ("status", "category", "reason")


# Named tuples, not dataclasses: a national year is 150,000 cases and half a million changes,
# and these are made for every one of them (benchmarks/statutory_return.py).
class CaseState(NamedTuple):
    status: str
    category: str
    reason: str  # cases.MissingReason.code


class Change(NamedTuple):
    """One recorded change of one field: the day it took effect and the values either side
    (`old` None when the record does not say)."""

    on: date
    field: str
    old: str | None
    new: str


# One case's recorded change as the return reads it: (on, field, old, new), Change's layout. A
# Change is one; the return's reader makes plain tuples, an eighth of the cost to build (26 ns
# against 210 ns, and it makes 200,000 for a national year).
ChangeRow = tuple[date, str, str | None, str]


class Step(NamedTuple):
    """From the end of `on` (until the next step), the case stood in `state`."""

    on: date
    state: CaseState


def initial_state(current: CaseState, changes: Sequence[Change]) -> CaseState:
    """The state the case opened in: each field as it was before its first recorded change, or
    as it is now when it never changed (or the first change did not say what it replaced)."""
    return CaseState(*_opened_with(current, changes))


def _opened_with(
    current: tuple[str, str, str], changes: Sequence[ChangeRow]
) -> tuple[str, str, str]:
    """initial_state on plain tuples, for return_facts."""
    status, category, reason = current
    found = 0  # fields whose first change has been seen: 1 status, 2 category, 4 reason
    for _on, field, old, _new in changes:
        bit = 1 if field == "status" else 2 if field == "category" else 4
        if not found & bit:
            found |= bit
            if old is not None:
                if bit == 1:
                    status = old
                elif bit == 2:
                    category = old
                else:
                    reason = old
            if found == 7:
                break
    return status, category, reason


def history(referral_date: date, current: CaseState, changes: Sequence[Change]) -> tuple[Step, ...]:
    """The case's states over time, `changes` in the order they were recorded.

    A change dated earlier than ones recorded before it (a closure backdated to the day the
    child started school) replaces those for the days it covers: the later record is the
    better account. Nothing takes effect before the referral date."""
    state = initial_state(current, changes) if changes else current
    steps = [Step(referral_date, state)]
    for change in changes:
        status, category, reason = state
        if change.field == "status":
            state = CaseState(change.new, category, reason)
        elif change.field == "category":
            state = CaseState(status, change.new, reason)
        else:
            state = CaseState(status, category, change.new)
        day = change.on if change.on > referral_date else referral_date
        while len(steps) > 1 and steps[-1].on > day:
            steps.pop()
        steps.append(Step(day, state))
    return tuple(steps)


def state_on(steps: Sequence[Step], day: date) -> CaseState | None:
    """The state at the end of `day`, or None before the referral."""
    found: CaseState | None = None
    for step in steps:
        if step.on > day:
            break
        found = step.state
    return found


def of_compulsory_school_age(date_of_birth: date | None, day: date) -> bool:
    """A child with no recorded date of birth is not left out: the return shows them apart."""
    if date_of_birth is None:
        return True
    first, last = school_age_window(date_of_birth)
    return first <= day <= last


@lru_cache(maxsize=8192)
def school_age_window(date_of_birth: date) -> tuple[date, date]:
    """The first and last days of compulsory school age (cached: a year's children share a few
    thousand birthdays)."""
    return compulsory_school_age_start(date_of_birth), compulsory_school_age_end(date_of_birth)


def on_roll(off_roll_on: date | None, day: date) -> bool:
    """Still on a school's admission register at the end of `day`: the school's deletion (or the
    removal the authority agreed) takes effect on `off_roll_on`."""
    return off_roll_on is not None and day < off_roll_on


def counts(
    state: CaseState | None, *, day: date, date_of_birth: date | None, off_roll_on: date | None
) -> bool:
    """Whether a case in `state` is a child missing education on `day`."""
    return (
        state is not None
        and state.category == CME_CATEGORY
        and state.status in COUNTED_STATUSES
        and not on_roll(off_roll_on, day)
        and of_compulsory_school_age(date_of_birth, day)
    )


def counted_on(
    steps: Sequence[Step], day: date, *, date_of_birth: date | None, off_roll_on: date | None
) -> CaseState | None:
    """The state on `day` if the case counts as CME then, else None."""
    state = state_on(steps, day)
    if counts(state, day=day, date_of_birth=date_of_birth, off_roll_on=off_roll_on):
        return state
    return None


def counted_during(
    steps: Sequence[Step],
    start: date,
    end: date,
    *,
    date_of_birth: date | None,
    off_roll_on: date | None,
) -> CaseState | None:
    """The last state in which the case counted as CME on some day in [start, end], or None.

    Each state stands at the end of every day from its step to the day before the next step
    (a state replaced the day it began never does); the return's hot loop, so written out."""
    if not steps or steps[0].on > end:
        return None
    low_limit, high_limit = start, end
    if off_roll_on is not None and off_roll_on > low_limit:
        low_limit = off_roll_on
    if date_of_birth is not None:
        first_day, last_day = school_age_window(date_of_birth)
        low_limit, high_limit = max(low_limit, first_day), min(high_limit, last_day)
    found: CaseState | None = None
    count = len(steps)
    for index in range(count):
        on, state = steps[index]
        if state.category != CME_CATEGORY or state.status not in COUNTED_STATUSES:
            continue
        last = steps[index + 1].on - _DAY if index + 1 < count else high_limit
        if max(on, low_limit) <= min(last, high_limit):
            found = state
    return found


_DAY = timedelta(days=1)


def missing_since(
    steps: Sequence[Step], day: date, *, referral_date: date, date_last_attended: date | None
) -> date:
    """When the spell of missing education in force on `day` began: the day the child last
    attended a school when known, otherwise the referral date; a case reopened after it was
    closed starts a new spell on the day it reopened."""
    since = date_last_attended or referral_date
    previous: CaseState | None = None
    for step in steps:
        if step.on > day:
            break
        reopened = previous is not None and previous.status == CLOSED_STATUS
        if reopened and step.state.status != CLOSED_STATUS:
            since = max(since, step.on)
        previous = step.state
    return since


class ReturnFacts(NamedTuple):
    """What the termly return needs of one case (return_facts)."""

    census_reason: str | None  # the primary reason on the census date, if the case counts then
    missing_since: date | None  # when that spell of missing education began (same condition)
    period_reason: str | None  # the last reason while counted in the period, if it ever was


NOT_COUNTED = ReturnFacts(None, None, None)


def return_facts(
    referral_date: date,
    current: tuple[str, str, str],
    changes: Sequence[ChangeRow],
    *,
    census: date,
    period: tuple[date, date],
    date_of_birth: date | None,
    off_roll_on: date | None,
    date_last_attended: date | None,
) -> ReturnFacts:
    """One case's part in the return, from its current (status, category, reason) and changes.

    Exactly what counted_on and missing_since on `census` and counted_during over `period` give
    for history(referral_date, current, changes), which say the rules plainly; the core tests
    check the two agree on generated histories. This is the return's hot loop (150,000 cases a
    national year, benchmarks/statutory_return.py), so it replays the changes once into plain
    (day, status, category, reason) tuples and reads all three answers off them in one pass,
    where the plain functions build two named tuples a step and walk the steps three times."""
    status, category, reason = current
    if changes:
        status, category, reason = _opened_with(current, changes)
    steps = [(referral_date, status, category, reason)]
    for on, field, _old, new in changes:
        if field == "status":
            status = new
        elif field == "category":
            category = new
        else:
            reason = new
        day = on if on > referral_date else referral_date
        while len(steps) > 1 and steps[-1][0] > day:
            steps.pop()
        steps.append((day, status, category, reason))

    start, end = period
    low, high = start, end  # the days of the period on which the child could count at all
    if off_roll_on is not None and off_roll_on > low:
        low = off_roll_on
    census_ok = off_roll_on is None or census >= off_roll_on
    if date_of_birth is not None:
        first_day, last_day = school_age_window(date_of_birth)
        low, high = max(low, first_day), min(high, last_day)
        census_ok = census_ok and first_day <= census <= last_day

    # Steps are in day order (history() keeps them so), so those on or before the census date
    # come first. missing_since: a step out of closure into another status restarts the spell.
    on_census: tuple[date, str, str, str] | None = None
    since = date_last_attended or referral_date
    period_reason: str | None = None
    previous_status: str | None = None
    count = len(steps)
    for index in range(count):
        step = steps[index]
        on, status, category, reason = step
        if on <= census:
            if previous_status == CLOSED_STATUS and status != CLOSED_STATUS and on > since:
                since = on
            previous_status = status
            on_census = step
        if category == CME_CATEGORY and status in COUNTED_STATUSES:
            # Counts on the days from max(on, low) to the day before the next step, or to high.
            begins = on if on > low else low
            if begins <= high and (index + 1 == count or begins < steps[index + 1][0]):
                period_reason = reason
    if (
        on_census is None
        or not census_ok
        or on_census[2] != CME_CATEGORY
        or on_census[1] not in COUNTED_STATUSES
    ):
        return NOT_COUNTED if period_reason is None else ReturnFacts(None, None, period_reason)
    return ReturnFacts(on_census[3], since, period_reason)


def length_band(missing_since: date | None, census: date, bands: tuple[Band, ...] = BANDS) -> str:
    """How long the child had been missing education on the census date, as a band label."""
    if missing_since is None or missing_since > census:
        return UNKNOWN_LENGTH
    days = (census - missing_since).days
    for band in bands:
        if band.max_days is None or days <= band.max_days:
            return band.label
    return UNKNOWN_LENGTH


def year_group_on(date_of_birth: date | None, census: date) -> str:
    if date_of_birth is None:
        return "not known"
    year = national_curriculum_year(date_of_birth, census)
    if year not in REPORTED_YEARS:
        return f"outside Reception to Year 11 ({year_group_label(year)})"
    return year_group_label(year)


def previous_academic_year(census: date) -> tuple[date, date]:
    """1 September to 31 August of the school year before the census date's."""
    start_year = census.year if census.month >= 9 else census.year - 1
    return date(start_year - 1, 9, 1), date(start_year, 8, 31)
