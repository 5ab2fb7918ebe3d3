"""Day-to-day work on an open case: assigning it, notes, risk, and the timeline lines intake
writes on a case it touches."""

from typing import Any

from django.db import transaction

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..events import EventKind
from ..models import Case, CaseEvent, RiskLevel
from .common import CaseError, case_locked, event_write, require_team


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
def case_intake_event(*, case: Case, kind: EventKind, by: User | None, **payload: Any) -> CaseEvent:
    """A timeline line written by intake on a case it touches: a return or referral received,
    or a hand-over's state changing. The actor may be a school, agency or other-LA user (or
    nobody, for the public form): they write only this line, never the case itself."""
    if kind not in {EventKind.SUBMISSION_RECEIVED, EventKind.HANDOVER_CHANGED}:
        raise CaseError("Intake can only record submissions and hand-overs on a case.")
    with acting_as(by):
        return event_write(case, kind, by, **payload)
