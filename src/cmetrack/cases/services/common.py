"""What every case service shares: the error it raises, the timeline write, the team check, the
row lock and the version check (optimistic locking, docs/concurrent-edits.md)."""

from typing import Any

from django.db.models import F
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User

from ..events import EventKind
from ..models import Case, CaseEvent


class CaseError(Exception):
    """A case change that cannot be made; the message is shown to the officer."""


class CaseChanged(CaseError):
    """The case moved on since the form was opened: the change is refused, not laid over one
    its officer never saw. `case` is the case as it is now; `expected` the version the form
    was opened at."""

    def __init__(self, case: Case, expected: int) -> None:
        super().__init__("This case changed since you opened it.")
        self.case = case
        self.expected = expected


def event_write(case: Case, kind: EventKind, by: User | None, **payload: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind.value,
        actor=by,
        occurred_at=timezone.now(),
        payload=payload,
        case_version=case.version,
    )


def require_team(by: User) -> None:
    """Importers and commands call these services too, so the check lives here, not in views."""
    if not is_la_staff(by):
        raise CaseError("Only the local authority's CME team can change a case.")


def case_locked(case: Case, expected_version: int | None = None) -> Case:
    """Re-read the case under a row lock so two officers' changes cannot interleave, and refuse
    (CaseChanged) if it is no longer at `expected_version`, the version the officer's form was
    opened at. Without one (imports, the daily job, commands) the change goes ahead as ever.

    On PostgreSQL the lock holds the row until the transaction ends; SQLite has no row locks,
    but its transactions begin IMMEDIATE (settings), one writer at a time, so the version read
    here cannot move before the caller's write either."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseChanged(locked, expected_version)
    return locked


def case_version_bump(case: Case) -> None:
    """Move the case's version on, as UPDATE ... SET version = version + 1 WHERE version = the
    version read: call it, inside the service's transaction, with the case as case_locked
    read it, before saving the change. Refused (CaseChanged) if the row moved on anyway.

    A separate UPDATE rather than a field of the save, so the audit log's record of a change
    lists what the officer changed, not the counter."""
    moved = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not moved:
        raise CaseChanged(Case.objects.get(pk=case.pk), case.version)
    case.version += 1
