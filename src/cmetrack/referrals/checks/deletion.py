"""The deletion return (removal from the admission register, regulation 13(4)): one check for
the web form, every file importer, the command and the API.

The authority never refuses information about a child (DOMAIN.md §4): a late return, one with
no ground or no emergency number, or one naming no new school is recorded and flagged here as a
warning. Only what cannot be recorded as given is an error: no name, no date of birth or removal
date, impossible dates, a letter that is not a ground, values longer than the register holds.
"""

from __future__ import annotations

from datetime import date, timedelta

from cmetrack.core.grounds import ground_or_none
from cmetrack.core.school_age import compulsory_school_age_end

from ..particulars import DeletionData
from .child import check_child, check_event_date, check_lengths, warn_outside_school_age
from .problems import Verdict

# Ground (l) is for a pupil who will be over compulsory school age before the school next
# meets. School age ends on the last Friday in June; the summer holiday is about six weeks. A
# child whose school age ends more than this long after the removal is not such a pupil.
GROUND_L_MARGIN = timedelta(days=92)
# The words the per-school view counts (school_patterns.py): one home for both.
OFF_ROLLING_WARNING = "possible off-rolling"


def deletion_check(data: DeletionData, *, today: date) -> Verdict:
    verdict = Verdict()
    check_child(data.child, verdict, today=today)
    code = data.ground.strip()
    found = ground_or_none(code) if code else None
    if code and found is None:
        verdict.error("ground", "Choose the ground for removal, (a) to (o)")
    elif not code:
        verdict.warn(
            "ground",
            "No ground for removal was stated (a lost-pupil CTF: destination unknown)"
            if data.lost_pupil
            else "No ground for removal was stated",
        )
    removed = data.deletion_date
    if removed is None:
        verdict.error("deletion_date", "Enter the date of removal from the register")
    else:
        check_event_date(verdict, removed, "deletion_date", "The date of removal", today=today)
        if removed < today and not verdict.has_error("deletion_date"):
            verdict.warn(
                "deletion_date",
                f"Sent after the removal on {removed:%d/%m/%Y}: a late return "
                "(regulation 13(4) asks for it no later than the removal)",
            )
    if not data.emergency_phone.strip():
        verdict.warn(
            "emergency_phone",
            "No emergency phone number: regulation 13(4) asks for one for each parent the "
            "pupil lives with",
        )
    if not data.parent_names.strip():
        verdict.warn("parent_names", "The parent(s) the pupil lives with are not named")
    if data.parent_2_name.strip() and not data.parent_2_phone.strip():
        verdict.warn(
            "parent_2_phone",
            "No emergency phone number for the second parent (regulation 13(4) asks one for each)",
        )
    child = data.child
    if not (child.address_line_1.strip() or child.postcode.strip()):
        verdict.warn("address_line_1", "The pupil's address is not given (regulation 13(4))")
    if found is not None and found.needs_new_school and not data.names_new_school:
        verdict.warn(
            "new_school",
            f"Ground ({found.code}) names no new school: it cannot be confirmed until one is given",
        )
    if found is not None and found.needs_joint_enquiries:
        label = found.waiting_from_label
        if data.absence_from is None:
            verdict.warn(
                "absence_from",
                f"{label} not given: the earliest lawful removal cannot be worked out",
            )
        else:
            check_event_date(verdict, data.absence_from, "absence_from", label, today=today)
            if removed is not None and data.absence_from > removed:
                verdict.warn("absence_from", f"{label} is after the removal date")
    dob = data.child.date_of_birth
    if data.new_school_start and dob and data.new_school_start < dob:
        verdict.error(
            "new_school_start", "The new school start date must be after the date of birth"
        )
    check_event_date(
        verdict, data.new_school_start, "new_school_start", "The new school start date", today=today
    )
    check_event_date(
        verdict, data.new_address_from, "new_address_from", "The date of the move", today=today
    )
    check_lengths(
        verdict,
        {
            "parent_names": data.parent_names.strip(),
            "parent_address": data.parent_address.strip(),
            "emergency_phone": data.emergency_phone.strip(),
            "parent_2_name": data.parent_2_name.strip(),
            "parent_2_phone": data.parent_2_phone.strip(),
            "new_address": data.new_address.strip(),
            "new_school_name": data.new_school_name.strip(),
        },
    )
    if dob is not None and removed is not None and not verdict.has_error("date_of_birth"):
        warn_outside_school_age(verdict, dob, removed)
        if found is not None and found.leaving_school_age:
            ends = compulsory_school_age_end(dob)
            if ends > removed + GROUND_L_MARGIN:
                verdict.warn(
                    "ground",
                    f"Ground (l) but the child is of compulsory school age until {ends:%d/%m/%Y}: "
                    + OFF_ROLLING_WARNING,
                )
    return verdict
