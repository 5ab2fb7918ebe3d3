"""Timeline event kinds and the sentences a caseworker reads.

Kinds are a Python enum checked in code, not database choices, so adding one needs no migration.
"""

from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    OPENED = "opened"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    NOTE_ADDED = "note_added"
    FLAG_ADDED = "flag_added"
    FLAG_REMOVED = "flag_removed"
    RISK_CHANGED = "risk_changed"
    CATEGORY_CHANGED = "category_changed"
    PRIMARY_REASON_CHANGED = "primary_reason_changed"
    CLOSED = "closed"
    REOPENED = "reopened"
    TASK_ADDED = "task_added"
    TASK_DONE = "task_done"
    ESCALATION_RAISED = "escalation_raised"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged"
    ESCALATION_RESOLVED = "escalation_resolved"
    ENQUIRY_RECORDED = "enquiry_recorded"
    ENQUIRY_NOT_APPLICABLE = "enquiry_not_applicable"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSURE_APPROVED = "closure_approved"
    CLOSURE_RETURNED = "closure_returned"
    ENQUIRIES_EXHAUSTED = "enquiries_exhausted"
    SUBMISSION_RECEIVED = "submission_received"
    HANDOVER_CHANGED = "handover_changed"
    LETTER_PRODUCED = "letter_produced"
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"


def describe(kind: str, payload: dict[str, Any]) -> str:
    """One plain sentence for the timeline; the actor and time are shown beside it."""
    match EventKind(kind):
        case EventKind.OPENED:
            if payload.get("on_arrival"):
                return (
                    f"Case opened on arrival of {payload['on_arrival']}: the local authority "
                    "joins the school's enquiries at once"
                )
            if "imported_from" in payload:  # cases.services.imported: from an old register
                return (
                    "Case brought over from the previous CME register: referred by "
                    f"{payload.get('source', 'unknown source')}, {payload['status_label'].lower()}"
                )
            return f"Case opened from a referral by {payload.get('source', 'unknown source')}"
        case EventKind.STATUS_CHANGED:
            return f"Status changed from {payload['from_label']} to {payload['to_label']}"
        case EventKind.ASSIGNED:
            if payload.get("to_name"):
                return f"Assigned to {payload['to_name']}"
            return "Unassigned"
        case EventKind.NOTE_ADDED:
            if payload.get("imported"):
                return "Note from the previous CME register"
            return "Note added"
        case EventKind.FLAG_ADDED:
            return f"Flag added: {payload['flag']}"
        case EventKind.FLAG_REMOVED:
            return f"Flag removed: {payload['flag']}"
        case EventKind.RISK_CHANGED:
            return f"Risk changed from {payload['from_label']} to {payload['to_label']}"
        case EventKind.CATEGORY_CHANGED:
            # The reason, free text, is shown beneath (and removed with the rest at retention).
            return (
                f"Category changed from {payload['from_label'].lower()} to "
                f"{payload['to_label'].lower()}"
            )
        case EventKind.PRIMARY_REASON_CHANGED:
            return f"Main reason changed from {payload['from_label']} to {payload['to_label']}"
        case EventKind.CLOSED:
            return f"Case closed: {payload['outcome_label']}"
        case EventKind.REOPENED:
            return "Case reopened"
        case EventKind.TASK_ADDED:
            return f"Task added: {payload['title']}, due {payload['due_label']}"
        case EventKind.TASK_DONE:
            return f"Task done: {payload['title']}"
        case EventKind.ESCALATION_RAISED:
            return f"Escalated to children's social care: {payload['trigger']}"
        case EventKind.ESCALATION_ACKNOWLEDGED:
            return f"Escalation acknowledged: {payload['trigger']}"
        case EventKind.ESCALATION_RESOLVED:
            return f"Escalation resolved: {payload['trigger']}"
        case EventKind.ENQUIRY_RECORDED:
            return f"Enquiry recorded: {payload['check']} ({payload['result_label'].lower()})"
        case EventKind.ENQUIRY_NOT_APPLICABLE:
            return f"Enquiry marked not applicable: {payload['check']}"
        case EventKind.CLOSURE_REQUESTED:
            return f"Closure requested: {payload['outcome_label']}"
        case EventKind.CLOSURE_APPROVED:
            return "Closure approved by a manager"
        case EventKind.CLOSURE_RETURNED:
            return "Closure sent back by a manager"
        case EventKind.SUBMISSION_RECEIVED:
            return f"{payload['kind_label']} received ({payload['reference']})"
        case EventKind.HANDOVER_CHANGED:
            return f"Hand-over to {payload['authority']}: {payload['state_label'].lower()}"
        case EventKind.LETTER_PRODUCED:
            return f"Letter produced: {payload['template']} (template version {payload['version']})"
        case EventKind.ATTACHMENT_ADDED:
            return f"Attachment added: {payload['kind_label']}"
        case EventKind.ATTACHMENT_REMOVED:
            return f"Attachment removed: {payload['kind_label']}"
        case EventKind.ENQUIRIES_EXHAUSTED:
            return (
                "Enquiries exhausted: child untraced, agreed off-roll date "
                f"{payload['off_roll_label']}"
                if payload.get("off_roll_label")
                else "Enquiries exhausted: child untraced"
            )
