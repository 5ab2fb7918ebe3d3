"""Day-to-day work on an open case: assigning it, notes, risk, its category and main reason,
and the timeline lines intake writes on a case it touches."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..events import EventKind
from ..models import Case, CaseEvent, Category, MissingReason, RiskLevel
from .common import CaseError, case_locked, case_version_bump, event_write, require_team


@transaction.atomic
def case_assign(
    *, case: Case, officer: User | None, by: User, expected_version: int | None = None
) -> Case:
    require_team(by)
    case = case_locked(case, expected_version)
    if officer is not None and not is_la_staff(officer):
        raise CaseError("Cases can only be assigned to members of the CME team.")
    if not case.is_open:
        raise CaseError("A closed case cannot be assigned.")
    if case.assigned_to_id == (officer.pk if officer else None):
        raise CaseError("The case is already assigned to that officer.")
    with acting_as(by):
        previous = case.assigned_to_id
        case.assigned_to = officer
        case_version_bump(case)
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
def case_set_risk(
    *, case: Case, risk_level: str, by: User, expected_version: int | None = None
) -> Case:
    require_team(by)
    case = case_locked(case, expected_version)
    new = RiskLevel(risk_level)
    if case.risk_level == new:
        raise CaseError(f"The risk is already {new.label.lower()}.")
    old = RiskLevel(case.risk_level)
    with acting_as(by):
        case.risk_level = new
        case_version_bump(case)
        case.save(update_fields=["risk_level", "updated_at"])
        event_write(case, EventKind.RISK_CHANGED, by, from_label=old.label, to_label=new.label)
    return case


@transaction.atomic
def case_change_category(
    *,
    case: Case,
    category: str,
    reason_text: str,
    by: User,
    expected_version: int | None = None,
) -> Case:
    """Child missing education <-> at risk of missing education, with the reason: only true
    CME counts in the termly return, so the change and why are on the timeline."""
    require_team(by)
    case = case_locked(case, expected_version)
    reason_text = reason_text.strip()
    try:
        new = Category(category)
    except ValueError as error:
        raise CaseError(
            "Choose child missing education or at risk of missing education."
        ) from error
    if not case.is_open:
        raise CaseError("The case is closed: reopen it before changing its category.")
    if case.category == new:
        raise CaseError(f"The case is already {new.label.lower()}.")
    if not reason_text:
        raise CaseError("Say why the category is changing.")
    old = Category(case.category)
    with acting_as(by):
        case.category = new
        case_version_bump(case)
        case.save(update_fields=["category", "updated_at"])
        event_write(
            case,
            EventKind.CATEGORY_CHANGED,
            by,
            **{
                "from": old.value,
                "to": new.value,
                "from_label": old.label,
                "to_label": new.label,
                "reason": reason_text,
            },
        )
    return case


def _in_force(reason: MissingReason) -> bool:
    today = timezone.localdate()
    return (reason.valid_from is None or reason.valid_from <= today) and (
        reason.valid_to is None or reason.valid_to >= today
    )


@transaction.atomic
def case_change_primary_reason(
    *,
    case: Case,
    primary_reason: MissingReason,
    by: User,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Change the main reason the child is missing education (what the termly return counts).
    A reason that was among the other reasons leaves them: it is the main one now."""
    require_team(by)
    case = case_locked(case, expected_version)
    if not case.is_open:
        raise CaseError("The case is closed: reopen it before changing its main reason.")
    if case.primary_reason_id == primary_reason.pk:
        raise CaseError(f"{primary_reason.label} is already the main reason.")
    if not _in_force(primary_reason):
        raise CaseError(f"{primary_reason.label} is no longer in use: choose a current reason.")
    old = case.primary_reason
    with acting_as(by):
        case.primary_reason = primary_reason
        case_version_bump(case)
        case.save(update_fields=["primary_reason", "updated_at"])
        case.secondary_reasons.remove(primary_reason)
        event_write(
            case,
            EventKind.PRIMARY_REASON_CHANGED,
            by,
            **{
                "from": old.code,
                "to": primary_reason.code,
                "from_label": old.label,
                "to_label": primary_reason.label,
                "note": note.strip(),
            },
        )
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


DOCUMENT_EVENTS = frozenset(
    {EventKind.LETTER_PRODUCED, EventKind.ATTACHMENT_ADDED, EventKind.ATTACHMENT_REMOVED}
)


@transaction.atomic
def case_document_event(
    *, case: Case, kind: EventKind, by: User | None, **payload: Any
) -> CaseEvent:
    """A timeline line written by the letters and attachments apps when a letter is produced
    or evidence is attached or removed: they keep their own records, the case only its line."""
    if kind not in DOCUMENT_EVENTS:
        raise CaseError("Only letters and attachments can be recorded this way.")
    with acting_as(by):
        return event_write(case, kind, by, **payload)
