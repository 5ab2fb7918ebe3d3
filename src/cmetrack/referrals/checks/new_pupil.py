"""The new-pupil return (a pupil entered on the admission register, regulation 13(1)): one
check for the web form, every file importer, the command and the API."""

from __future__ import annotations

from datetime import date

from ..particulars import NewPupilData
from .child import check_child, check_event_date, check_lengths, warn_outside_school_age
from .problems import Verdict


def new_pupil_check(data: NewPupilData, *, today: date) -> Verdict:
    verdict = Verdict()
    check_child(data.child, verdict, today=today)
    started = data.start_date
    if started is None:
        verdict.error("start_date", "Enter the date the pupil started")
    else:
        check_event_date(verdict, started, "start_date", "The start date", today=today)
        if started > today and not verdict.has_error("start_date"):
            # A CTF often arrives before the pupil's first day: recorded, and said so.
            verdict.warn(
                "start_date",
                f"The start date {started:%d/%m/%Y} is in the future: the pupil is expected then",
            )
        dob = data.child.date_of_birth
        if dob and started < dob:
            verdict.error("start_date", "The start date must be after the date of birth")
        if dob and not verdict.has_error("date_of_birth"):
            warn_outside_school_age(verdict, dob, started)
    check_lengths(
        verdict,
        {
            "parent_names": data.parent_names.strip(),
            "parent_phone": data.parent_phone.strip(),
            "previous_school": data.previous_school.strip(),
        },
    )
    return verdict
