"""What every case service shares: the error it raises, the timeline write, the team check and
the row lock."""

from typing import Any

from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User

from ..events import EventKind
from ..models import Case, CaseEvent


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
