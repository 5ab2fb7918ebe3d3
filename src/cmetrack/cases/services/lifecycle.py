"""A case's status: moving it through the status machine, closing it with an outcome (and,
where the child is vulnerable or untraced, a manager's approval) and reopening it."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.core.closure_rules import (
    moved_abroad_evidence_problem,
    over_compulsory_school_age_problem,
)
from cmetrack.core.school_age import birthday, needs_age_review
from cmetrack.schooldays.models import TermDate

from ..events import EventKind
from ..models import Case, Outcome
from ..signals import case_closed
from ..status import Status, TransitionError, check_transition
from .common import CaseError, case_locked, case_version_bump, event_write, require_team


@transaction.atomic
def case_change_status(
    *,
    case: Case,
    to: str,
    by: User,
    note: str = "",
    decided: bool = False,
    expected_version: int | None = None,
) -> Case:
    """`decided` is set only by case_enquiries_exhausted: untraced needs a manager's decision."""
    require_team(by)
    case = case_locked(case, expected_version)
    if Status(to) == Status.CLOSED:
        raise TransitionError("Close the case with an outcome instead.")
    if Status(to) == Status.UNTRACED and not decided:
        raise TransitionError(
            "A child becomes untraced only by a manager's decision that enquiries are exhausted."
        )
    check_transition(case.status, to)
    old = Status(case.status)
    with acting_as(by):
        case.status = to
        case.status_changed_on = timezone.localdate()
        case_version_bump(case)
        case.save(update_fields=["status", "status_changed_on", "updated_at"])
        event_write(
            case,
            EventKind.STATUS_CHANGED,
            by,
            **{
                "from": old.value,
                "to": to,
                "from_label": old.label,
                "to_label": Status(to).label,
                "note": note.strip(),
            },
        )
    return case


def closure_needs_approval(case: Case) -> bool:
    """A child with a vulnerability flag, or an untraced child, is closed only with a
    manager's approval (issue 4)."""
    return (
        case.status == Status.UNTRACED or case.child.flags.filter(removed_at__isnull=True).exists()
    )


def _autumn_term_start(year: int) -> date | None:
    """The first day of the authority's academic year `year` (its autumn term), if loaded."""
    return (
        TermDate.objects.filter(school__isnull=True, kind=TermDate.Kind.TERM, academic_year=year)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )


def closure_problem(*, case: Case, outcome: str, closed_on: date, note: str) -> str | None:
    """Why `case` cannot close with `outcome` on `closed_on`, or None: the outcome's own rule
    from core.closure_rules. case_close and closure_request both ask, so an officer hears at
    once what a manager's approval would be refused for."""
    match Outcome(outcome):
        case Outcome.OVER_AGE:
            date_of_birth = case.child.date_of_birth
            term_start = None
            if date_of_birth is not None and needs_age_review(date_of_birth):
                term_start = _autumn_term_start(birthday(date_of_birth, 16).year)
            return over_compulsory_school_age_problem(
                date_of_birth=date_of_birth, closed_on=closed_on, autumn_term_start=term_start
            )
        case Outcome.MOVED_ABROAD:
            return moved_abroad_evidence_problem(note)
    return None


@transaction.atomic
def case_close(
    *,
    case: Case,
    outcome: str,
    by: User,
    closed_on: date | None = None,
    note: str = "",
    approved: bool = False,
    expected_version: int | None = None,
) -> Case:
    """`approved` is set only by closure_approve, after a manager agreed. The outcome's own rule
    (closure_problem) applies however the case closes; for moved abroad `note` is the evidence."""
    require_team(by)
    case = case_locked(case, expected_version)
    if not outcome:
        raise CaseError("Choose the outcome that closes the case.")
    if case.escalations.filter(resolved_at__isnull=True).exists():
        raise CaseError(
            "Resolve the safeguarding escalation, with the action taken, before closing the case."
        )
    if closure_needs_approval(case) and not (approved or is_manager(by)):
        raise CaseError(
            "This child has a vulnerability flag or is untraced: ask a manager to approve the "
            "closure."
        )
    outcome_value = Outcome(outcome)
    check_transition(case.status, Status.CLOSED)
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise CaseError("The closure date cannot be in the future.")
    if closed_on < case.referral_date:
        raise CaseError("The closure date cannot be before the referral date.")
    if problem := closure_problem(case=case, outcome=outcome_value, closed_on=closed_on, note=note):
        raise CaseError(problem)
    old = Status(case.status)
    with acting_as(by):
        case.status = Status.CLOSED
        case.outcome = outcome_value
        case.closed_on = closed_on
        case.status_changed_on = closed_on
        case_version_bump(case)
        case.save(
            update_fields=["status", "outcome", "closed_on", "status_changed_on", "updated_at"]
        )
        event_write(
            case,
            EventKind.CLOSED,
            by,
            outcome=outcome_value.value,
            outcome_label=outcome_value.label,
            closed_on=closed_on.isoformat(),
            from_label=old.label,
            note=note.strip(),
        )
    case_closed.send(sender=Case, case=case, by=by)
    return case


@transaction.atomic
def case_reopen(*, case: Case, reason: str, by: User, expected_version: int | None = None) -> Case:
    require_team(by)
    case = case_locked(case, expected_version)
    reason = reason.strip()
    if case.status != Status.CLOSED:
        raise CaseError("Only a closed case can be reopened.")
    if not reason:
        raise CaseError("Enter why the case is being reopened.")
    if case.child.cases.exclude(status=Status.CLOSED).exists():
        raise CaseError("This child has another open case; work that one instead.")
    with acting_as(by):
        old_outcome = case.get_outcome_display()
        case.status = Status.ENQUIRIES
        case.outcome = ""
        case.closed_on = None
        case.status_changed_on = timezone.localdate()
        case_version_bump(case)
        case.save(
            update_fields=["status", "outcome", "closed_on", "status_changed_on", "updated_at"]
        )
        event_write(case, EventKind.REOPENED, by, reason=reason, previous_outcome=old_outcome)
    return case
