"""Writes to cases. Keyword-only, one transaction each; each validates, writes the timeline
event and (through auditlog) the audit record. Views, commands and the demo seeder share them."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff, is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import Child, ChildFlag, VulnerabilityFlagType
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import (
    ChildData,
    ChildError,
    child_add_referral_details,
    child_create,
    child_flag_add,
    child_flag_remove,
)
from cmetrack.schools.models import School

from .events import EventKind
from .models import Case, CaseEvent, MissingReason, Outcome, RiskLevel
from .status import Status, TransitionError, check_transition


class CaseError(Exception):
    """A case change that cannot be made; the message is shown to the officer."""


def event_write(case: Case, kind: EventKind, by: User | None, **payload: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind.value, actor=by, occurred_at=timezone.now(), payload=payload
    )


def require_team(by: User) -> None:
    """Importers and commands call these services too, so the check lives here, not in views."""
    if not is_la_staff(by):
        raise CaseError("Only the local authority's CME team can change a case.")


def case_locked(case: Case) -> Case:
    """Re-read the case under a row lock so two officers' changes cannot interleave."""
    return Case.objects.select_for_update().get(pk=case.pk)


@dataclass(frozen=True)
class ReferralData:
    child: ChildData
    primary_reason: MissingReason
    referral_source: str
    referral_date: date
    secondary_reasons: list[MissingReason] = field(default_factory=list)
    referrer: str = ""
    last_school: School | None = None
    date_last_attended: date | None = None
    risk_level: str = RiskLevel.MEDIUM
    category: str = "cme"
    flags: list[VulnerabilityFlagType] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class ReferralResult:
    case: Case
    child_was_known: bool


@transaction.atomic
def referral_record(
    *,
    data: ReferralData,
    by: User,
    existing_child: Child | None = None,
    force_new_child: bool = False,
) -> ReferralResult:
    """Record a referral: reuse the child already known (the one the officer chose from the
    likely matches, else the same UPN, or the same name and date of birth), otherwise create
    them; then open a case with its flags and first note. `force_new_child` is the officer's
    decision that none of the suggested children is this one."""
    c = data.child
    if existing_child is not None and force_new_child:
        raise CaseError("Choose an existing child or a new record, not both.")
    if existing_child is not None and existing_child.merged_into_id is not None:
        raise CaseError("That record was merged into another: choose the child again.")
    child = existing_child
    if child is None and not force_new_child:
        child = child_find_existing(
            upn=c.upn, forenames=c.forenames, surname=c.surname, date_of_birth=c.date_of_birth
        )
    known = child is not None
    if child is None:
        child = child_create(data=c, by=by)
    else:
        child_add_referral_details(child=child, data=c, by=by)
    case = case_open(child=child, data=data, by=by)
    for flag_type in data.flags:
        if not child.flags.filter(flag_type=flag_type, removed_at__isnull=True).exists():
            case_flag_add(case=case, flag_type=flag_type, by=by)
    if data.note.strip():
        case_add_note(case=case, text=data.note, by=by)
    return ReferralResult(case=case, child_was_known=known)


@transaction.atomic
def case_open(*, child: Child, data: ReferralData, by: User) -> Case:
    if not is_la_staff(by):
        raise CaseError("Only the local authority's CME team can open a case.")
    if child.cases.exclude(status=Status.CLOSED).exists():
        existing = child.cases.exclude(status=Status.CLOSED).get()
        raise CaseError(
            f"{child.full_name} already has an open case ({existing.reference}). "
            "Add this referral's details to that case instead."
        )
    if data.referral_date > timezone.localdate():
        raise CaseError("The referral date cannot be in the future.")
    with acting_as(by):
        case = Case.objects.create(
            child=child,
            category=data.category,
            primary_reason=data.primary_reason,
            referral_source=data.referral_source,
            referral_date=data.referral_date,
            referrer=data.referrer.strip(),
            last_school=data.last_school,
            date_last_attended=data.date_last_attended,
            risk_level=data.risk_level,
            status_changed_on=data.referral_date,
        )
        case.secondary_reasons.set([r for r in data.secondary_reasons if r != data.primary_reason])
        event_write(case, EventKind.OPENED, by, source=case.get_referral_source_display())
    return case


@transaction.atomic
def case_change_status(
    *, case: Case, to: str, by: User, note: str = "", decided: bool = False
) -> Case:
    """`decided` is set only by case_enquiries_exhausted: untraced needs a manager's decision."""
    require_team(by)
    case = case_locked(case)
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


@transaction.atomic
def case_assign(*, case: Case, officer: User | None, by: User) -> Case:
    require_team(by)
    case = case_locked(case)
    if officer is not None and not is_la_staff(officer):
        raise CaseError("Cases can only be assigned to members of the CME team.")
    if not case.is_open:
        raise CaseError("A closed case cannot be assigned.")
    if case.assigned_to_id == (officer.pk if officer else None):
        raise CaseError("The case is already assigned to that officer.")
    with acting_as(by):
        previous = case.assigned_to_id
        case.assigned_to = officer
        case.save(update_fields=["assigned_to", "updated_at"])
        # The case's open tasks that were the previous officer's (or nobody's) follow the case.
        case.tasks.filter(
            done_at__isnull=True, cancelled_at__isnull=True, assigned_to_id__in=[previous, None]
        ).update(assigned_to=officer)
        event_write(
            case,
            EventKind.ASSIGNED,
            by,
            to=officer.public_id.hex if officer else None,
            to_name=str(officer) if officer else "",
        )
    return case


@transaction.atomic
def case_add_note(*, case: Case, text: str, by: User) -> CaseEvent:
    require_team(by)
    text = text.strip()
    if not text:
        raise CaseError("Enter the note.")
    with acting_as(by):
        return event_write(case, EventKind.NOTE_ADDED, by, text=text)


@transaction.atomic
def case_set_risk(*, case: Case, risk_level: str, by: User) -> Case:
    require_team(by)
    case = case_locked(case)
    new = RiskLevel(risk_level)
    if case.risk_level == new:
        raise CaseError(f"The risk is already {new.label.lower()}.")
    old = RiskLevel(case.risk_level)
    with acting_as(by):
        case.risk_level = new
        case.save(update_fields=["risk_level", "updated_at"])
        event_write(case, EventKind.RISK_CHANGED, by, from_label=old.label, to_label=new.label)
    return case


@transaction.atomic
def case_flag_add(
    *, case: Case, flag_type: VulnerabilityFlagType, by: User, note: str = ""
) -> ChildFlag:
    require_team(by)
    try:
        flag = child_flag_add(child=case.child, flag_type=flag_type, by=by, note=note)
    except ChildError as error:
        raise CaseError(str(error)) from error
    with acting_as(by):
        event_write(case, EventKind.FLAG_ADDED, by, flag=flag_type.label, code=flag_type.code)
    from .safeguarding_services import escalation_raise

    escalation_raise(case=case, flag_type=flag_type, by=by)
    return flag


@transaction.atomic
def case_flag_remove(*, case: Case, flag: ChildFlag, by: User) -> None:
    require_team(by)
    if flag.child_id != case.child_id:
        raise CaseError("That flag belongs to another child.")
    # Re-read under a lock: a double-submitted form must not remove (and log) a flag twice.
    flag = ChildFlag.objects.select_for_update().select_related("flag_type").get(pk=flag.pk)
    try:
        child_flag_remove(flag=flag, by=by)
    except ChildError as error:
        raise CaseError(str(error)) from error
    with acting_as(by):
        event_write(
            case, EventKind.FLAG_REMOVED, by, flag=flag.flag_type.label, code=flag.flag_type.code
        )


@transaction.atomic
def case_close(
    *,
    case: Case,
    outcome: str,
    by: User,
    closed_on: date | None = None,
    note: str = "",
    approved: bool = False,
) -> Case:
    """`approved` is set only by closure_approve, after a manager agreed."""
    from .safeguarding_services import closure_needs_approval

    require_team(by)
    case = case_locked(case)
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
    old = Status(case.status)
    with acting_as(by):
        case.status = Status.CLOSED
        case.outcome = outcome_value
        case.closed_on = closed_on
        case.status_changed_on = closed_on
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
    return case


@transaction.atomic
def case_reopen(*, case: Case, reason: str, by: User) -> Case:
    require_team(by)
    case = case_locked(case)
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
        case.save(
            update_fields=["status", "outcome", "closed_on", "status_changed_on", "updated_at"]
        )
        event_write(case, EventKind.REOPENED, by, reason=reason, previous_outcome=old_outcome)
    return case


@transaction.atomic
def case_intake_event(*, case: Case, kind: EventKind, by: User | None, **payload: Any) -> CaseEvent:
    """A timeline line written by intake on a case it touches: a return or referral received,
    or a hand-over's state changing. The actor may be a school, agency or other-LA user (or
    nobody, for the public form): they write only this line, never the case itself."""
    if kind not in {EventKind.SUBMISSION_RECEIVED, EventKind.HANDOVER_CHANGED}:
        raise CaseError("Intake can only record submissions and hand-overs on a case.")
    with acting_as(by):
        return event_write(case, kind, by, **payload)
