"""A manager's approval of a closure: requested by an officer, approved (the case closes) or
sent back with a reason (issue 4)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..events import EventKind
from ..models import Case, ClosureRequest, Outcome
from ..status import Status, check_transition
from .common import CaseError, case_locked, event_write, require_team
from .lifecycle import case_close, closure_problem


@transaction.atomic
def closure_request(
    *,
    case: Case,
    outcome: str,
    closed_on: date,
    by: User,
    note: str = "",
    expected_version: int | None = None,
) -> ClosureRequest:
    """Ask a manager to close the case. The request changes nothing on the case itself, so it
    leaves the version alone; but an officer asking from a stale form is refused like any
    other change: the manager would approve a closure decided on what the case no longer is."""
    require_team(by)
    case = case_locked(case, expected_version)
    check_transition(case.status, Status.CLOSED)
    if case.closure_requests.filter(state=ClosureRequest.State.PENDING).exists():
        raise CaseError("A closure request for this case is already waiting for a manager.")
    if closed_on > timezone.localdate():
        raise CaseError("The closure date cannot be in the future.")
    if closed_on < case.referral_date:
        raise CaseError("The closure date cannot be before the referral date.")
    outcome_value = Outcome(outcome)
    # Refused now rather than at the manager's approval: the same rule case_close applies.
    if problem := closure_problem(case=case, outcome=outcome_value, closed_on=closed_on, note=note):
        raise CaseError(problem)
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
