"""Escalation to children's social care, the reasonable-enquiries checklist, manager approval
of closures, and the "enquiries exhausted" decision (DOMAIN.md §5; issue 4).

Each service is keyword-only, one transaction, audited (auditlog) and writes its timeline event.
"""

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import VulnerabilityFlagType

from .events import EventKind
from .models import Case, ClosureRequest, EnquiryCheck, EnquiryCheckType, Escalation, Outcome
from .services import (
    CaseError,
    case_change_status,
    case_close,
    case_locked,
    event_write,
    require_team,
)
from .status import Status, TransitionError, check_transition

# --- escalation -------------------------------------------------------------------------------


def escalation_raise(
    *, case: Case, flag_type: VulnerabilityFlagType, by: User | None
) -> Escalation | None:
    """Raise (once per case and trigger) the escalation an escalating flag demands, and notify
    the configured MASH address. Call inside the caller's transaction."""
    if not flag_type.escalates or not case.is_open:
        return None
    if case.escalations.filter(trigger_code=flag_type.code).exists():
        return None
    now = timezone.now()
    with acting_as(by):
        escalation = Escalation.objects.create(
            case=case,
            trigger_code=flag_type.code,
            trigger_label=flag_type.label,
            raised_at=now,
            raised_by=by,
            due_on=timezone.localdate(now),
        )
        event_write(case, EventKind.ESCALATION_RAISED, by, trigger=flag_type.label)
    transaction.on_commit(lambda: _notify_mash(escalation.pk))
    return escalation


def _notify_mash(escalation_pk: int) -> None:
    address = getattr(settings, "CMETRACK_MASH_EMAIL", "")
    escalation = Escalation.objects.select_related("case").get(pk=escalation_pk)
    if not address or escalation.notified_at is not None:
        return
    # A reference and a link only: no child's name or details leave the system by email.
    send_mail(
        subject=f"cmetrack: safeguarding escalation {escalation.case.reference}",
        message=(
            "A child missing education case has been escalated to children's social care.\n"
            f"Case reference: {escalation.case.reference}\n"
            f"Reason: {escalation.trigger_label}\n"
            f"Sign in to see it: {settings.CMETRACK_BASE_URL}"
            f"{reverse('cases:detail', args=[escalation.case.public_id])}\n"
        ),
        from_email=None,
        recipient_list=[address],
    )
    Escalation.objects.filter(pk=escalation_pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )


def escalations_raise_missing() -> int:
    """For the daily job: any open case whose child carries an escalating flag but has never
    been escalated for it (a flag added by an import, say) is escalated now. Idempotent."""
    raised = 0
    open_cases = (
        Case.objects.exclude(status=Status.CLOSED)
        .filter(child__flags__removed_at__isnull=True, child__flags__flag_type__escalates=True)
        .distinct()
    )
    for case in open_cases.select_related("child"):
        flags = case.child.flags.filter(removed_at__isnull=True, flag_type__escalates=True)
        for flag in flags.select_related("flag_type"):
            try:
                with transaction.atomic():
                    if escalation_raise(case=case, flag_type=flag.flag_type, by=None):
                        raised += 1
            except IntegrityError:
                # Another run raised it a moment ago: the unique constraint kept it single.
                continue
    return raised


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by: User) -> Escalation:
    require_team(by)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.acknowledged_at is not None:
        raise CaseError("This escalation was already acknowledged.")
    with acting_as(by):
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = by
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
        event_write(
            escalation.case, EventKind.ESCALATION_ACKNOWLEDGED, by, trigger=escalation.trigger_label
        )
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, action: str, by: User) -> Escalation:
    require_team(by)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    action = action.strip()
    if escalation.resolved_at is not None:
        raise CaseError("This escalation is already resolved.")
    if not action:
        raise CaseError("Record the action taken before resolving the escalation.")
    with acting_as(by):
        now = timezone.now()
        if escalation.acknowledged_at is None:
            escalation.acknowledged_at, escalation.acknowledged_by = now, by
        escalation.action_taken = action
        escalation.resolved_at, escalation.resolved_by = now, by
        escalation.save()
        event_write(
            escalation.case,
            EventKind.ESCALATION_RESOLVED,
            by,
            trigger=escalation.trigger_label,
            note=action,
        )
    return escalation


# --- reasonable enquiries ---------------------------------------------------------------------


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


# --- closure approval and the "enquiries exhausted" decision ----------------------------------


def closure_needs_approval(case: Case) -> bool:
    """A child with a vulnerability flag, or an untraced child, is closed only with a
    manager's approval (issue 4)."""
    return (
        case.status == Status.UNTRACED or case.child.flags.filter(removed_at__isnull=True).exists()
    )


@transaction.atomic
def closure_request(
    *, case: Case, outcome: str, closed_on: date, by: User, note: str = ""
) -> ClosureRequest:
    require_team(by)
    case = case_locked(case)
    check_transition(case.status, Status.CLOSED)
    if case.closure_requests.filter(state=ClosureRequest.State.PENDING).exists():
        raise CaseError("A closure request for this case is already waiting for a manager.")
    if closed_on > timezone.localdate():
        raise CaseError("The closure date cannot be in the future.")
    outcome_value = Outcome(outcome)
    with acting_as(by):
        request = ClosureRequest.objects.create(
            case=case,
            outcome=outcome_value,
            closed_on=closed_on,
            note=note.strip(),
            requested_by=by,
        )
        event_write(
            case,
            EventKind.CLOSURE_REQUESTED,
            by,
            outcome_label=outcome_value.label,
            note=note.strip(),
        )
    return request


def _pending(request: ClosureRequest, by: User) -> ClosureRequest:
    if not is_manager(by):
        raise CaseError("Only a CME manager can decide a closure request.")
    request = ClosureRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ClosureRequest.State.PENDING:
        raise CaseError("This closure request has already been decided.")
    return request


@transaction.atomic
def closure_approve(*, request: ClosureRequest, by: User) -> Case:
    request = _pending(request, by)
    with acting_as(by):
        request.state = ClosureRequest.State.APPROVED
        request.decided_by, request.decided_at = by, timezone.now()
        request.save(update_fields=["state", "decided_by", "decided_at"])
        event_write(request.case, EventKind.CLOSURE_APPROVED, by)
    return case_close(
        case=request.case,
        outcome=request.outcome,
        closed_on=request.closed_on,
        note=request.note,
        by=by,
        approved=True,
    )


@transaction.atomic
def closure_return(*, request: ClosureRequest, reason: str, by: User) -> ClosureRequest:
    request = _pending(request, by)
    reason = reason.strip()
    if not reason:
        raise CaseError("Say why the closure is being sent back.")
    with acting_as(by):
        request.state = ClosureRequest.State.RETURNED
        request.decided_by, request.decided_at = by, timezone.now()
        request.decision_reason = reason
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        event_write(request.case, EventKind.CLOSURE_RETURNED, by, note=reason)
    return request


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
