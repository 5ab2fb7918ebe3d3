"""Outbound hand-over of a case to another authority (DOMAIN.md §6): sent, acknowledged, then
accepted, declined or withdrawn; the case stays open until the other authority accepts. The
receiving authority may also ask for more information first: that is recorded on the hand-over
(and a task set for the officer who sent it) without moving it on, so the case stays open."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_triage, is_la_staff, is_other_la_user
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, Outcome
from cmetrack.cases.services import (
    CaseError,
    case_change_status,
    case_close,
    case_intake_event,
    task_create,
)
from cmetrack.cases.status import Status, TransitionError, allowed_next

from ..models import (
    Direction,
    HandoverChange,
    HandoverState,
    Kind,
    Nature,
    OtherLaNotification,
    Submission,
    TriageState,
)
from ..signals import handover_changed, handover_sent, information_requested
from .common import stamp
from .errors import IntakeError
from .triage import require_triage


def _record_handover(
    notification: OtherLaNotification,
    *,
    case: Case,
    state: HandoverState,
    by: User,
    reason: str = "",
) -> None:
    case_intake_event(
        case=case,
        kind=EventKind.HANDOVER_CHANGED,
        by=by,
        authority=notification.other_la_name,
        state_label=state.label,
        reference=notification.reference,
        reason=reason,
    )


HANDOVER_TRANSITIONS: dict[HandoverState, frozenset[HandoverState]] = {
    HandoverState.SENT: frozenset(
        {
            HandoverState.ACKNOWLEDGED,
            HandoverState.ACCEPTED,
            HandoverState.DECLINED,
            HandoverState.WITHDRAWN,
        }
    ),
    HandoverState.ACKNOWLEDGED: frozenset(
        {HandoverState.ACCEPTED, HandoverState.DECLINED, HandoverState.WITHDRAWN}
    ),
    HandoverState.ACCEPTED: frozenset(),
    HandoverState.DECLINED: frozenset(),
    HandoverState.WITHDRAWN: frozenset(),
}
ACTIVE_HANDOVER = (HandoverState.SENT, HandoverState.ACKNOWLEDGED)


def _can_reply_to_handover(by: User, notification: OtherLaNotification) -> bool:
    """The receiving authority's own users may acknowledge, accept or decline."""
    org = by.organisation
    return bool(
        is_other_la_user(by)
        and org is not None
        and org.la_code
        and org.la_code == notification.other_la_code
    )


@transaction.atomic
def handover_send(
    *,
    case: Case,
    other_la_name: str,
    by: User,
    other_la_code: str = "",
    new_address: str = "",
    concerns: str = "",
) -> OtherLaNotification:
    """Notify another authority that the child moved there. The case stays open (transferred)
    until that authority accepts."""
    require_triage(by)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise IntakeError("A closed case cannot be handed over.")
    if not other_la_name.strip():
        raise IntakeError("Enter the receiving authority", "other_la_name")
    if OtherLaNotification.objects.filter(
        case=case, direction=Direction.OUTBOUND, handover_state__in=ACTIVE_HANDOVER
    ).exists():
        raise IntakeError("This case already has a hand-over waiting for an answer.")
    child = case.child
    note = OtherLaNotification(
        kind=Kind.OTHER_LA,
        direction=Direction.OUTBOUND,
        nature=Nature.HANDOVER,
        other_la_name=other_la_name.strip(),
        other_la_code=other_la_code.strip(),
        previous_address=str(child.current_address or ""),
        concerns=concerns.strip(),
        forenames=child.forenames,
        surname=child.surname,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        upn=child.upn,
        case=case,
        handover_state=HandoverState.SENT,
        triage_state=TriageState.LINKED,
        triaged_by=by,
        triaged_at=timezone.now(),
    )
    note.address_line_1 = new_address.strip()[:200]
    stamp(note, by)
    note.contact_email = ""
    with acting_as(by):
        note.save()
        HandoverChange.objects.create(notification=note, from_state="", to_state="sent", by=by)
    _record_handover(note, case=case, state=HandoverState.SENT, by=by)
    if Status.TRANSFERRED in allowed_next(Status(case.status)):
        try:
            case_change_status(
                case=case,
                to=Status.TRANSFERRED,
                by=by,
                note=f"Handed over to {note.other_la_name} ({note.reference}).",
            )
        except (CaseError, TransitionError) as error:
            raise IntakeError(str(error)) from error
    handover_sent.send(sender=OtherLaNotification, notification=note, by=by)
    return note


@transaction.atomic
def handover_update(
    *, notification: OtherLaNotification, to: str, by: User, reason: str = ""
) -> OtherLaNotification:
    """Move a hand-over on. Accepted closes the case (handed to another LA); declined or
    withdrawn returns it to enquiries. Every move is audited and written on the case."""
    notification = OtherLaNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.direction != Direction.OUTBOUND:
        raise IntakeError("Only an outbound hand-over has these states.")
    new = HandoverState(to)
    replying = new in {HandoverState.ACKNOWLEDGED, HandoverState.ACCEPTED, HandoverState.DECLINED}
    if not (can_triage(by) or (replying and _can_reply_to_handover(by, notification))):
        raise IntakeError("You cannot change this hand-over.")
    old = HandoverState(notification.handover_state)
    if new not in HANDOVER_TRANSITIONS[old]:
        raise IntakeError(
            f"A hand-over cannot move from {old.label.lower()} to {new.label.lower()}."
        )
    if new == HandoverState.DECLINED and not reason.strip():
        raise IntakeError("Enter the reason the authority gave for declining", "reason")
    with acting_as(by):
        notification.handover_state = new
        notification.handover_reason = reason.strip()
        notification.save(update_fields=["handover_state", "handover_reason"])
        HandoverChange.objects.create(
            notification=notification,
            from_state=old.value,
            to_state=new.value,
            by=by,
            reason=reason.strip(),
        )
    handover_changed.send(
        sender=OtherLaNotification,
        notification=notification,
        from_state=old,
        to_state=new,
        by=by,
        reason=reason.strip(),
    )
    case = notification.case
    if case is None:
        return notification
    # The line is written by whoever answered: the CME team, or the receiving authority itself.
    _record_handover(notification, case=case, state=new, by=by, reason=reason.strip())
    text = (
        f"Hand-over {notification.reference} to {notification.other_la_name}: {new.label.lower()}"
    )
    if reason.strip():
        text += f" ({reason.strip()})"
    # The case is the CME team's: the other authority's reply is written by the team's record
    # of it, or, when that authority answers itself, by whoever sent the hand-over.
    actor = by if can_triage(by) else notification.submitted_by
    if actor is None or not is_la_staff(actor):
        raise IntakeError("The hand-over has no CME officer to record the reply against.")
    try:
        if new == HandoverState.ACCEPTED:
            case_close(case=case, outcome=Outcome.HANDED_TO_OTHER_LA, by=actor, note=text + ".")
        elif new in {HandoverState.DECLINED, HandoverState.WITHDRAWN} and (
            Case.objects.get(pk=case.pk).status == Status.TRANSFERRED
        ):
            case_change_status(case=case, to=Status.ENQUIRIES, by=actor, note=text + ".")
    except (CaseError, TransitionError) as error:
        raise IntakeError(str(error)) from error
    return notification


# Not a state: the hand-over stays sent or acknowledged (and the case open) while the sending
# team answers; the change list shows it between the moves.
MORE_INFORMATION = "more_info"
MORE_INFORMATION_LABEL = "More information asked for"


@transaction.atomic
def handover_information_requested(
    *, notification: OtherLaNotification, question: str, by: User
) -> OtherLaNotification:
    """The receiving authority asks the sending team for more before it accepts or declines:
    recorded on the hand-over and the case's timeline, with a task for the officer who sent it.
    The hand-over's state and the case do not change."""
    notification = OtherLaNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.direction != Direction.OUTBOUND:
        raise IntakeError("Only an outbound hand-over can be asked about.")
    if not (can_triage(by) or _can_reply_to_handover(by, notification)):
        raise IntakeError("You cannot change this hand-over.")
    if notification.handover_state not in ACTIVE_HANDOVER:
        raise IntakeError(
            f"The hand-over was already {notification.get_handover_state_display().lower()}."
        )
    question = question.strip()
    if not question:
        raise IntakeError("Enter what the authority asked for", "reason")
    with acting_as(by):
        HandoverChange.objects.create(
            notification=notification,
            from_state=notification.handover_state,
            to_state=MORE_INFORMATION,
            by=by,
            reason=question,
        )
    _on_case_with_task(
        notification,
        by=by,
        label=MORE_INFORMATION_LABEL,
        reason=question,
        officer=by if can_triage(by) else notification.submitted_by,
        assigned_to=notification.submitted_by,
        task=(
            f"{notification.other_la_name} asks for more information about hand-over "
            f"{notification.reference}: {question}"
        ),
    )
    return notification


def _on_case_with_task(
    notification: OtherLaNotification,
    *,
    by: User,
    label: str,
    reason: str,
    officer: User | None,
    assigned_to: User | None,
    task: str,
) -> None:
    """What another authority told us about a hand-over, on the case it concerns (if any): a
    timeline line in that authority's name, and, on an open case, a task due today set by
    `officer` (a member of the team) for `assigned_to` (else the officer)."""
    case = notification.case
    if case is None:
        return
    case_intake_event(
        case=case,
        kind=EventKind.HANDOVER_CHANGED,
        by=by,
        authority=notification.other_la_name,
        state_label=label,
        reference=notification.reference,
        reason=reason,
    )
    if case.is_open and officer is not None and is_la_staff(officer):
        try:
            task_create(
                case=case,
                title=task[:200],
                due_on=timezone.localdate(),
                by=officer,
                assigned_to=assigned_to or officer,
            )
        except CaseError as error:
            raise IntakeError(str(error)) from error


@transaction.atomic
def notification_information_request(
    *, notification: Submission, question: str, by: User
) -> OtherLaNotification:
    """The CME team asks the authority that sent an inbound notification for more before
    triaging it. It stays new in the incoming queue; the question is kept on its triage note
    and told to the apps above (the exchange sends it back to that authority's cmetrack).
    `notification` may be the submission as the queue holds it."""
    require_triage(by)
    found = OtherLaNotification.objects.select_for_update().filter(pk=notification.pk).first()
    if found is None or found.direction != Direction.INBOUND:
        raise IntakeError("Only a notification from another authority can be asked about.")
    note = found
    if note.triage_state != TriageState.NEW:
        raise IntakeError(
            f"{note.reference} was already triaged ({note.get_triage_state_display().lower()})."
        )
    question = question.strip()
    if not question:
        raise IntakeError("Enter what you need to know", "question")
    line = f"More information asked for on {timezone.localdate():%d/%m/%Y}: {question}"
    note.triage_note = f"{note.triage_note}\n{line}" if note.triage_note else line
    with acting_as(by):
        note.save(update_fields=["triage_note"])
    information_requested.send(
        sender=OtherLaNotification, notification=note, question=question, by=by
    )
    return note


WITHDRAWN_BY_SENDER_LABEL = "Withdrawn by the authority that sent it"


@transaction.atomic
def notification_withdrawn_by_sender(
    *, notification: OtherLaNotification, reason: str, by: User
) -> OtherLaNotification:
    """The authority that sent an inbound notification withdraws it (the child did not move,
    or it went to the wrong authority). Nothing is closed for the team: a withdrawal is news,
    not a decision. The notification keeps the withdrawal on its triage note (and stays in the
    queue if untriaged); a case opened from it gets a timeline line and a task to check whether
    the child is still here. `by` is the sending authority's account, the one that sent it."""
    note = OtherLaNotification.objects.select_for_update().get(pk=notification.pk)
    if note.direction != Direction.INBOUND:
        raise IntakeError("Only a notification from another authority can be withdrawn by it.")
    if note.submitted_by_id != by.pk:
        raise IntakeError("Only the authority that sent this notification can withdraw it.")
    reason = reason.strip()
    line = (
        f"Withdrawn by {note.other_la_name} on {timezone.localdate():%d/%m/%Y}: "
        f"{reason or 'no reason given'}"
    )
    note.triage_note = f"{note.triage_note}\n{line}" if note.triage_note else line
    with acting_as(by):
        note.save(update_fields=["triage_note"])
    case = note.case
    _on_case_with_task(
        note,
        by=by,
        label=WITHDRAWN_BY_SENDER_LABEL,
        reason=reason,
        officer=note.triaged_by,
        assigned_to=case.assigned_to if case is not None else None,
        task=(
            f"{note.other_la_name} withdrew notification {note.reference}: check whether the "
            "child is still in this area"
        ),
    )
    return note
    case_intake_event(
        case=case,
        kind=EventKind.HANDOVER_CHANGED,
        by=by,
        authority=note.other_la_name,
        state_label=WITHDRAWN_BY_SENDER_LABEL,
        reference=note.reference,
        reason=reason,
    )
    officer = note.triaged_by
    if case.is_open and officer is not None and is_la_staff(officer):
        try:
            task_create(
                case=case,
                title=(
                    f"{note.other_la_name} withdrew notification {note.reference}: check "
                    "whether the child is still in this area"
                )[:200],
                due_on=timezone.localdate(),
                by=officer,
                assigned_to=case.assigned_to or officer,
            )
        except CaseError as error:
            raise IntakeError(str(error)) from error
    return note
