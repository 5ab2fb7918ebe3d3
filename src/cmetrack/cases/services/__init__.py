"""Writes to cases. Keyword-only, one transaction each; each validates, writes the timeline
event and (through auditlog) the audit record. Views, commands, intake and the demo seeder share
them.

One module per concern: `common` (the errors, the timeline write, the team check, the row lock
and the version), `referral` (recording a referral, opening a case), `lifecycle` (status,
closing, reopening), `casework` (assigning, notes, risk, intake's timeline lines), `flags`,
`escalation`, `enquiries` (the checklist and "enquiries exhausted"), `approvals` (manager
approval of a closure), `deadlines` (tasks and the daily job), `imported` (cases brought over
from an old register, as it held them). Import from this package; the
modules import one another only downwards (common at the bottom), never through this file.
"""

from .approvals import closure_approve, closure_request, closure_return
from .casework import (
    case_add_note,
    case_assign,
    case_change_category,
    case_change_primary_reason,
    case_document_event,
    case_intake_event,
    case_set_risk,
)
from .common import (
    CaseChanged,
    CaseError,
    case_locked,
    case_version_bump,
    event_write,
    require_team,
)
from .daily import TickReport, daily_tick
from .deadlines import (
    SyncResult,
    task_complete,
    task_create,
    tasks_escalate_overdue,
    tasks_sync,
    timescales,
)
from .enquiries import (
    case_enquiries_exhausted,
    checklist_in_force,
    enquiry_checks_missing,
    enquiry_mark_not_applicable,
    enquiry_record,
)
from .escalation import (
    escalation_acknowledge,
    escalation_raise,
    escalation_resolve,
    escalations_raise_missing,
)
from .flags import case_flag_add, case_flag_remove
from .imported import (
    ImportedCaseData,
    ImportedNote,
    case_import,
    cases_import,
    imported_case_problem,
)
from .lifecycle import (
    case_change_status,
    case_close,
    case_reopen,
    closure_needs_approval,
    closure_problem,
)
from .referral import ReferralData, ReferralResult, case_open, referral_record

__all__ = [
    "CaseChanged",
    "CaseError",
    "ImportedCaseData",
    "ImportedNote",
    "ReferralData",
    "ReferralResult",
    "SyncResult",
    "TickReport",
    "case_add_note",
    "case_assign",
    "case_change_category",
    "case_change_primary_reason",
    "case_change_status",
    "case_close",
    "case_document_event",
    "case_enquiries_exhausted",
    "case_flag_add",
    "case_flag_remove",
    "case_import",
    "case_intake_event",
    "case_locked",
    "case_open",
    "case_reopen",
    "case_set_risk",
    "case_version_bump",
    "cases_import",
    "checklist_in_force",
    "closure_approve",
    "closure_needs_approval",
    "closure_problem",
    "closure_request",
    "closure_return",
    "daily_tick",
    "enquiry_checks_missing",
    "enquiry_mark_not_applicable",
    "enquiry_record",
    "escalation_acknowledge",
    "escalation_raise",
    "escalation_resolve",
    "escalations_raise_missing",
    "event_write",
    "imported_case_problem",
    "referral_record",
    "require_team",
    "task_complete",
    "task_create",
    "tasks_escalate_overdue",
    "tasks_sync",
    "timescales",
]
