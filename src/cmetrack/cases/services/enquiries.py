"""The reasonable-enquiries checklist, and a manager's decision that enquiries are exhausted
(the child becomes untraced) (DOMAIN.md §5; issue 4)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..events import EventKind
from ..models import Case, EnquiryCheck, EnquiryCheckType
from ..status import Status, TransitionError, check_transition
from .common import CaseError, case_locked, event_write, require_team
from .lifecycle import case_change_status


@transaction.atomic
def enquiry_record(
    *,
    case: Case,
    check_type: EnquiryCheckType,
    done_on: date,
    done_by_name: str,
    method: str,
    result: str,
    by: User,
    note: str = "",
) -> EnquiryCheck:
    """Record one reasonable enquiry. Intake calls this too, for checks a school reports."""
    require_team(by)
    if done_on > timezone.localdate():
        raise CaseError("The date of the enquiry cannot be in the future.")
    if not done_by_name.strip():
        raise CaseError("Enter who made the enquiry.")
    with acting_as(by):
        check = EnquiryCheck.objects.create(
            case=case,
            check_type=check_type,
            done_on=done_on,
            done_by_name=done_by_name.strip(),
            method=EnquiryCheck.Method(method),
            result=EnquiryCheck.Result(result),
            note=note.strip(),
            recorded_by=by,
        )
        event_write(
            case,
            EventKind.ENQUIRY_RECORDED,
            by,
            check=check_type.label,
            result_label=check.get_result_display(),
            note=note.strip(),
        )
    return check


@transaction.atomic
def case_enquiries_exhausted(
    *, case: Case, by: User, off_roll_date: date | None = None, note: str = ""
) -> Case:
    """A manager's explicit decision that reasonable enquiries are exhausted: the child becomes
    untraced (periodic review) and, for grounds (h)/(i), the agreed off-roll date is recorded."""
    if not is_manager(by):
        raise CaseError("Only a CME manager can decide that enquiries are exhausted.")
    case = case_locked(case)
    try:
        check_transition(case.status, Status.UNTRACED)
    except TransitionError as error:
        raise CaseError(str(error)) from error
    if off_roll_date is not None and off_roll_date < case.referral_date:
        raise CaseError("The off-roll date cannot be before the referral date.")
    case = case_change_status(case=case, to=Status.UNTRACED, by=by, note=note, decided=True)
    with acting_as(by):
        event_write(
            case,
            EventKind.ENQUIRIES_EXHAUSTED,
            by,
            off_roll_date=off_roll_date.isoformat() if off_roll_date else None,
            off_roll_label=off_roll_date.strftime("%-d %B %Y") if off_roll_date else "",
            note=note.strip(),
        )
    return case
