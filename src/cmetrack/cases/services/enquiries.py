"""The reasonable-enquiries checklist, and a manager's decision that enquiries are exhausted
(the child becomes untraced) (DOMAIN.md §5; issues 4 and 9).

Every check on the checklist in force (`EnquiryCheckType`, reference data) must be recorded on
the case, or marked not applicable with a reason, before enquiries can be called exhausted.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..events import EventKind
from ..models import Case, EnquiryCheck, EnquiryCheckType
from ..status import Status, TransitionError, check_transition
from .common import CaseError, case_locked, event_write, require_team
from .lifecycle import case_change_status

NOT_APPLICABLE = EnquiryCheck.Result.NOT_APPLICABLE


def checklist_in_force() -> QuerySet[EnquiryCheckType]:
    """The checks on today's checklist (reference data is effective-dated)."""
    today = timezone.localdate()
    return EnquiryCheckType.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
    )


def enquiry_checks_missing(*, case: Case) -> list[EnquiryCheckType]:
    """The checks on today's checklist with nothing recorded on this case: neither made (any
    outcome, "no reply yet" included) nor marked not applicable with a reason."""
    covered = case.enquiries.exclude(result=NOT_APPLICABLE, note="").values("check_type")
    return list(checklist_in_force().exclude(pk__in=covered))


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
    if result == NOT_APPLICABLE and not note.strip():
        raise CaseError("Say in the note why this enquiry does not apply to the child.")
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
def enquiry_mark_not_applicable(
    *, case: Case, check_type: EnquiryCheckType, reason: str, by: User
) -> EnquiryCheck:
    """Mark a check on the checklist as not applicable to this child, with the reason (a
    Home Office check for a child with no suggestion of a move abroad, say)."""
    require_team(by)
    case = case_locked(case)
    reason = reason.strip()
    if not case.is_open:
        raise CaseError("The case is closed: reopen it before changing its enquiries.")
    if not reason:
        raise CaseError("Say why this enquiry does not apply to the child.")
    if not checklist_in_force().filter(pk=check_type.pk).exists():
        raise CaseError("That enquiry is no longer on the checklist.")
    if (
        case.enquiries.filter(check_type=check_type)
        .exclude(result=NOT_APPLICABLE, note="")
        .exists()
    ):
        raise CaseError(f"{check_type.label}: already recorded on this case.")
    with acting_as(by):
        check = EnquiryCheck.objects.create(
            case=case,
            check_type=check_type,
            done_on=timezone.localdate(),
            done_by_name=str(by),
            method="",
            result=NOT_APPLICABLE,
            note=reason,
            recorded_by=by,
        )
        event_write(
            case, EventKind.ENQUIRY_NOT_APPLICABLE, by, check=check_type.label, reason=reason
        )
    return check


@transaction.atomic
def case_enquiries_exhausted(
    *,
    case: Case,
    by: User,
    off_roll_date: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """A manager's explicit decision that reasonable enquiries are exhausted: the child becomes
    untraced (periodic review) and, for grounds (h)/(i), the agreed off-roll date is recorded."""
    if not is_manager(by):
        raise CaseError("Only a CME manager can decide that enquiries are exhausted.")
    case = case_locked(case, expected_version)
    try:
        check_transition(case.status, Status.UNTRACED)
    except TransitionError as error:
        raise CaseError(str(error)) from error
    if off_roll_date is not None and off_roll_date < case.referral_date:
        raise CaseError("The off-roll date cannot be before the referral date.")
    if missing := enquiry_checks_missing(case=case):
        raise CaseError(
            "Record each enquiry on the checklist, or mark it not applicable with a reason, "
            "before deciding enquiries are exhausted. Not yet recorded: "
            + "; ".join(check.label for check in missing)
            + "."
        )
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
