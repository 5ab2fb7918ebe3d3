"""Vulnerability flags on the case's child; an escalating flag raises the escalation.

A flag is part of what an officer sees on the case and decides by (a flagged child's closure
needs a manager), so adding or removing one moves the case's version on, as well as the
child's."""

from django.db import transaction

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import ChildFlag, VulnerabilityFlagType
from cmetrack.children.services import ChildError, child_flag_add, child_flag_remove

from ..events import EventKind
from ..models import Case
from .common import CaseError, case_locked, case_version_bump, event_write, require_team
from .escalation import escalation_raise


@transaction.atomic
def case_flag_add(
    *,
    case: Case,
    flag_type: VulnerabilityFlagType,
    by: User,
    note: str = "",
    expected_version: int | None = None,
) -> ChildFlag:
    require_team(by)
    case = case_locked(case, expected_version)
    try:
        flag = child_flag_add(child=case.child, flag_type=flag_type, by=by, note=note)
    except ChildError as error:
        raise CaseError(str(error)) from error
    case_version_bump(case)
    with acting_as(by):
        event_write(case, EventKind.FLAG_ADDED, by, flag=flag_type.label, code=flag_type.code)
    escalation_raise(case=case, flag_type=flag_type, by=by)
    return flag


@transaction.atomic
def case_flag_remove(
    *, case: Case, flag: ChildFlag, by: User, expected_version: int | None = None
) -> None:
    require_team(by)
    if flag.child_id != case.child_id:
        raise CaseError("That flag belongs to another child.")
    case = case_locked(case, expected_version)
    # Re-read under a lock: a double-submitted form must not remove (and log) a flag twice.
    flag = ChildFlag.objects.select_for_update().select_related("flag_type").get(pk=flag.pk)
    try:
        child_flag_remove(flag=flag, by=by)
    except ChildError as error:
        raise CaseError(str(error)) from error
    case_version_bump(case)
    with acting_as(by):
        event_write(
            case, EventKind.FLAG_REMOVED, by, flag=flag.flag_type.label, code=flag.flag_type.code
        )
