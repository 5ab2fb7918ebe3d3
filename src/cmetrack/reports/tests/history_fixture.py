"""The small hand-made history of docs/statutory-return.md, built through the case services on
the days each change happened (time_machine), so the timeline is what an officer leaves."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.cases.services import (
    case_change_category,
    case_change_primary_reason,
    case_change_status,
    case_close,
    case_reopen,
)
from cmetrack.testing.factories import CaseFactory, ChildFactory, reason

LONDON = ZoneInfo("Europe/London")
CENSUS = date(2026, 10, 1)  # a Thursday
WEEKEND_CENSUS = date(2026, 10, 4)  # a Sunday


def on(day: date) -> time_machine.travel:
    return time_machine.travel(datetime.combine(day, time(11, 0), LONDON), tick=False)


def _case(name: str, sex: str, born: date, referred: date, code: str, **extra: object) -> Case:
    child = ChildFactory(forenames=name, sex=sex, date_of_birth=born)
    return CaseFactory(child=child, referral_date=referred, primary_reason=reason(code), **extra)


def build(officer: User, manager: User) -> dict[str, Case]:
    cases: dict[str, Case] = {}
    # Ava: awaiting a place on the census date; her reason and category changed afterwards.
    ava = cases["ava"] = _case("Ava", "F", date(2014, 1, 10), date(2026, 9, 14), "awaiting-place")
    with on(date(2026, 9, 15)):
        case_change_status(case=ava, to="enquiries", by=officer)
    with on(date(2026, 10, 5)):
        case_change_primary_reason(
            case=ava, primary_reason=reason("moved-abroad-believed"), by=officer
        )
    with on(date(2026, 10, 8)):
        case_change_category(case=ava, category="at_risk", reason_text="On roll", by=officer)
    # Ben: CME in the spring, back at school, then missing again: a reopened case.
    ben = cases["ben"] = _case(
        "Ben",
        "M",
        date(2016, 3, 3),
        date(2026, 1, 12),
        "whereabouts-unknown",
        date_last_attended=date(2025, 12, 5),
    )
    with on(date(2026, 3, 2)):
        case_close(case=ben, outcome="on_roll_here", by=officer)
    with on(date(2026, 9, 21)):
        case_reopen(case=ben, reason="Stopped attending again", by=officer)
    # Cara turns 16 in November 2026: still of compulsory school age on the census date.
    cara = cases["cara"] = _case(
        "Cara", "F", date(2010, 11, 20), date(2026, 6, 1), "moves-regularly"
    )
    with on(date(2026, 6, 2)):
        case_change_status(case=cara, to="enquiries", by=officer)
    # Dan turned 16 in December 2025: past compulsory school age from the end of June 2026.
    cases["dan"] = _case(
        "Dan", "M", date(2009, 12, 1), date(2026, 2, 2), "other", status="enquiries"
    )
    # Eve was handed to another authority before the census date.
    eve = cases["eve"] = _case(
        "Eve", "F", date(2015, 5, 5), date(2026, 9, 1), "no-place-after-move"
    )
    with on(date(2026, 9, 20)):
        case_change_status(case=eve, to="transferred", by=officer)
    # Finn was placed on Friday 2 October: the day after the census date.
    finn = cases["finn"] = _case("Finn", "M", date(2017, 2, 2), date(2026, 9, 7), "excluded")
    with on(date(2026, 10, 2)):
        case_change_status(case=finn, to="placed", by=officer)
    # Gus: untraced since February, last at school in October 2025.
    gus = cases["gus"] = _case(
        "Gus",
        "M",
        date(2013, 7, 7),
        date(2025, 11, 3),
        "whereabouts-unknown",
        date_last_attended=date(2025, 10, 17),
    )
    with on(date(2025, 11, 4)):
        case_change_status(case=gus, to="enquiries", by=officer)
    with on(date(2026, 2, 1)):
        case_change_status(case=gus, to="untraced", by=manager, decided=True)
    # Hana was placed before the census date.
    hana = cases["hana"] = _case("Hana", "F", date(2018, 4, 4), date(2026, 9, 2), "awaiting-place")
    with on(date(2026, 9, 25)):
        case_change_status(case=hana, to="placed", by=officer)
    # Ivy is at risk of missing education, never missing it.
    cases["ivy"] = _case(
        "Ivy", "F", date(2015, 1, 1), date(2026, 9, 10), "other", category="at_risk"
    )
    return cases
