"""What a stale form's officer is told: the case changed since the form was opened, and how."""

from dataclasses import dataclass
from datetime import datetime

from ..events import describe
from ..models import Case
from ..services import CaseChanged


@dataclass(frozen=True)
class Change:
    what: str
    who: str
    when: datetime


@dataclass(frozen=True)
class Conflict:
    """The case as it is now, the version the form was opened at, and what changed since."""

    case: Case
    opened_at_version: int
    changes: list[Change]


def conflict_from(changed: CaseChanged) -> Conflict:
    """The changes are the case's timeline events made at a later version than the form's,
    oldest first: each change made through the services writes one."""
    case = changed.case
    events = (
        case.events.filter(case_version__gt=changed.expected)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    changes = [
        Change(
            what=describe(event.kind, event.payload),
            who=str(event.actor) if event.actor else "cmetrack (automatic)",
            when=event.occurred_at,
        )
        for event in events
    ]
    return Conflict(case=case, opened_at_version=changed.expected, changes=changes)
