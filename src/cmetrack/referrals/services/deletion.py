"""Deletion returns: a school removes a pupil from its admission register (DOMAIN.md §4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Category
from cmetrack.core.grounds import ground_or_not_stated
from cmetrack.core.school_calendar import NoTermDatesError, SchoolCalendar
from cmetrack.schooldays.selectors import school_calendar

from ..checks import Verdict, deletion_check
from ..models import DeletionReturn, Kind, SharedStatus, Submission
from ..particulars import DeletionData
from .common import fill_child, require_school_return_sender, save_return, stamp
from .errors import refuse_if_errors
from .joint_enquiries import joint_enquiries_begin, joint_enquiry_facts
from .kinds import CaseStart, KindRules, register, school_source

if TYPE_CHECKING:
    from ..models import ImportBatch


def deletion_return_check(*, data: DeletionData, by: User) -> Verdict:
    """Every refusal of a deletion return, without writing (the import preview uses it too);
    the verdict carries the normalised UPN and the warnings to record."""
    require_school_return_sender(by, data.school, "a deletion return")
    verdict = deletion_check(data, today=timezone.localdate())
    refuse_if_errors(verdict)
    return verdict


def late_school_days(data: DeletionData, calendar: SchoolCalendar | None = None) -> int | None:
    """School days between the removal and the return (regulation 13(4): no later than it).
    None when it is on time, or when no term dates cover the period (the warning still says
    it is late, with the date)."""
    removed = data.deletion_date
    today = timezone.localdate()
    if removed is None or removed >= today:
        return None
    try:
        calendar = calendar or school_calendar(school=data.school)
        return max(calendar.school_days_between(removed, today), 1)
    except NoTermDatesError:
        return None


@transaction.atomic
def deletion_return_submit(
    *, data: DeletionData, by: User, batch: ImportBatch | None = None
) -> DeletionReturn:
    ret = save_return(deletion_return_build(data=data, by=by, batch=batch), by=by, batch=batch)
    joint_enquiries_begin([ret])
    return ret


def deletion_return_build(
    *,
    data: DeletionData,
    by: User,
    batch: ImportBatch | None = None,
    calendar: SchoolCalendar | None = None,
) -> DeletionReturn:
    """The checked, unsaved return: the bulk import saves many inside its own transaction (one
    save each, so every row has its audit entry) and writes the timeline lines in one pass.
    `calendar`, the school's, saves a bulk import looking it up for every row."""
    verdict = deletion_return_check(data=data, by=by)
    assert data.school is not None and data.deletion_date is not None  # the check says so
    g = ground_or_not_stated(data.ground)
    ret = DeletionReturn(
        kind=Kind.DELETION,
        school=data.school,
        parent_names=data.parent_names.strip(),
        parent_address=data.parent_address.strip(),
        emergency_phone=data.emergency_phone.strip(),
        parent_2_name=data.parent_2_name.strip(),
        parent_2_phone=data.parent_2_phone.strip(),
        new_address=data.new_address.strip(),
        new_address_from=data.new_address_from,
        new_school=data.new_school,
        new_school_name=data.new_school_name.strip(),
        new_school_start=data.new_school_start,
        ground=g.code,
        deletion_date=data.deletion_date,
        late_school_days=late_school_days(data, calendar),
        lost_pupil=data.lost_pupil,
        route=g.route_for(has_new_school=data.names_new_school).value,
        import_batch=batch,
    )
    fill_child(ret, data.child, verdict)
    stamp(ret, by, for_school=data.school)
    if g.needs_joint_enquiries:
        ret.shared_status = SharedStatus.AWAITING_LA_CONFIRMATION
        joint_enquiry_facts(ret, absence_from=data.absence_from, calendar=calendar)
    return ret


def _details(submission: Submission) -> list[str]:
    assert isinstance(submission, DeletionReturn)
    lines = [
        f"Ground {submission.ground_info.label}; deletion date {submission.deletion_date:%d/%m/%Y}."
    ]
    if submission.new_school or submission.new_school_name:
        lines.append(f"New school: {submission.new_school or submission.new_school_name}.")
    if submission.new_address:
        lines.append(f"New address: {submission.new_address}.")
    if submission.la_confirmed_at:
        lines.append(
            f"Joint enquiries confirmed exhausted by {submission.la_confirmed_by} on "
            f"{timezone.localtime(submission.la_confirmed_at):%d/%m/%Y}."
        )
    return lines


def _case_start(submission: Submission) -> CaseStart:
    assert isinstance(submission, DeletionReturn)
    g = submission.ground_info
    return CaseStart(
        reason_code=g.reason_code,
        # (h), (i): still on roll until the LA agrees the removal.
        category=Category.AT_RISK if g.needs_joint_enquiries else Category.CME,
        whereabouts_unknown=g.whereabouts_unknown,
        parent_names=submission.parent_names,
        parent_phone=submission.emergency_phone,
    )


register(Kind.DELETION, KindRules(details=_details, source=school_source, case_start=_case_start))
