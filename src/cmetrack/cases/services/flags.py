"""Vulnerability flags on the case's child; an escalating flag raises the escalation."""

from django.db import transaction

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import ChildFlag, VulnerabilityFlagType
from cmetrack.children.services import ChildError, child_flag_add, child_flag_remove

from ..events import EventKind
from ..models import Case
from .common import CaseError, event_write, require_team
from .escalation import escalation_raise


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
