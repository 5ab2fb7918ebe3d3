"""What every step of a register migration shares: who may do it, the refusal it raises, the
lists a coded value maps onto, and the batch's progress."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from cmetrack.accounts.access import can_work_cases
from cmetrack.accounts.models import User
from cmetrack.cases.models import MissingReason, Outcome, ReferralSource, RiskLevel
from cmetrack.cases.status import Status
from cmetrack.referrals.imports import DEFAULT_MAX_BYTES, SHOWN_ROWS, neutralise

from ..models import MigrationState, RegisterMigration
from ..rows import Choice, RegisterField

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SHOWN_ROWS",
    "MigrationRefused",
    "Progress",
    "ProgressSaver",
    "choices_for",
    "logger",
    "neutralise",
    "require_team",
]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class MigrationRefused(Exception):
    """The step cannot go ahead; the message is shown to the officer."""


def require_team(by: User) -> None:
    """A register migration writes the authority's cases: the CME team's work alone."""
    if not can_work_cases(by):
        raise MigrationRefused("Only the local authority's CME team can migrate a register.")


def _reasons_in_force() -> list[MissingReason]:
    today = timezone.localdate()
    return list(
        MissingReason.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("display_order", "label")
    )


def choices_for(field: RegisterField) -> list[Choice]:
    """cmetrack's list a coded field's values are mapped onto, in the order its forms show."""
    match field:
        case RegisterField.REFERRAL_SOURCE:
            return [Choice(v, str(label)) for v, label in ReferralSource.choices]
        case RegisterField.REASON:
            return [Choice(r.code, r.label) for r in _reasons_in_force()]
        case RegisterField.STATUS:
            return [Choice(v, str(label)) for v, label in Status.choices]
        case RegisterField.OUTCOME:
            return [Choice(v, str(label)) for v, label in Outcome.choices]
        case RegisterField.RISK:
            return [Choice(v, str(label)) for v, label in RiskLevel.choices]
    raise ValueError(f"{field} is not a coded field")


class ProgressSaver:
    """Writes how far a task has got, for the batch's page: an UPDATE of two numbers, outside
    any transaction so the page sees it at once, never audited."""

    def __init__(self, batch_id: int, state: MigrationState) -> None:
        self.batch_id, self.state = batch_id, state

    def __call__(self, done: int, total: int) -> None:
        RegisterMigration.objects.filter(pk=self.batch_id, state=self.state).update(
            progress_done=done, progress_total=max(total, done)
        )
