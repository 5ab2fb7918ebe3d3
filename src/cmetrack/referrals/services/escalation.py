"""Escalation on arrival: a submission about a child with a child protection plan, who is
looked after, about whom there is a safety concern or whose risk is high, goes to children's
social care / MASH at once (DOMAIN.md §5), before anyone triages it. It leads the incoming
queue, and the child's open case (if any) raises its own escalation banner."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import RiskLevel
from cmetrack.cases.services import escalation_raise
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.notifications.services import email_queue

from ..models import Submission
from .common import find_open_case

PRIORITY = {RiskLevel.HIGH: 1, RiskLevel.MEDIUM: 2, RiskLevel.LOW: 3}
ESCALATED = 0


def urgent_reasons(*, flags: list[VulnerabilityFlagType], risk_level: str) -> list[str]:
    """Why a submission must be escalated on arrival (empty when it need not be)."""
    reasons = [f.label for f in flags if f.escalates]
    if risk_level == RiskLevel.HIGH:
        reasons.append("Assessed as high risk")
    return reasons


def escalate_on_arrival(
    submission: Submission,
    *,
    reasons: list[str],
    flags: list[VulnerabilityFlagType],
    risk_level: str,
    by: User | None,
) -> None:
    """Set the queue order; escalate when there are reasons. Call inside the submission's
    transaction, after it is saved."""
    submission.queue_priority = ESCALATED if reasons else PRIORITY.get(RiskLevel(risk_level), 2)
    fields = ["queue_priority"]
    if reasons:
        submission.urgent_reasons = reasons
        submission.escalated_at = timezone.now()
        fields += ["urgent_reasons", "escalated_at"]
    Submission.objects.filter(pk=submission.pk).update(
        **{name: getattr(submission, name) for name in fields}
    )
    if not reasons:
        return
    case = find_open_case(submission)
    if case is not None:
        for flag_type in flags:
            escalation_raise(case=case, flag_type=flag_type, by=by)
    # In the submission's transaction: the outbox sends it once the submission is committed.
    _notify_mash(submission.pk)


@transaction.atomic
def _notify_mash(submission_pk: int) -> bool:
    """Queue the MASH email once; whether it was queued now. `mash_notified_at` means the
    email is in the outbox, which sends it and retries it through a mail outage. The stamp is
    a conditional UPDATE taken before queueing, so of two daily runs only one queues it, and
    the stamp and the email commit together or not at all."""
    address = getattr(settings, "CMETRACK_MASH_EMAIL", "")
    if not address:
        return False  # the daily job queues it once an address is configured
    told = Submission.objects.filter(pk=submission_pk, mash_notified_at__isnull=True).update(
        mash_notified_at=timezone.now()
    )
    if not told:
        return False
    submission = Submission.objects.get(pk=submission_pk)
    # A reference, the reasons and a link only: no child's name or details leave by email.
    email_queue(
        to=[address],
        subject=f"cmetrack: safeguarding escalation on arrival {submission.reference}",
        body=(
            "A submission to the Children Missing Education team needs safeguarding "
            "attention now.\n"
            f"Reference: {submission.reference}\n"
            f"Why: {'; '.join(submission.urgent_reasons)}\n"
            f"Sign in to see it: {settings.CMETRACK_BASE_URL}"
            f"{reverse('referrals:triage', args=[submission.public_id])}\n"
        ),
        kind="mash-escalation",
        reference=submission.reference,
    )
    return True


def arrival_escalations_notify_missing() -> int:
    """For the daily job: queue the MASH email of any escalated arrival that has none yet
    (one that came in while no MASH address was configured)."""
    pending = Submission.objects.filter(escalated_at__isnull=False, mash_notified_at__isnull=True)
    return sum(_notify_mash(pk) for pk in pending.values_list("pk", flat=True))
