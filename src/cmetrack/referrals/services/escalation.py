"""Escalation on arrival: a submission about a child with a child protection plan, who is
looked after, about whom there is a safety concern or whose risk is high, goes to children's
social care / MASH at once (DOMAIN.md §5), before anyone triages it. It leads the incoming
queue, and the child's open case (if any) raises its own escalation banner."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import RiskLevel
from cmetrack.cases.services import escalation_raise
from cmetrack.children.models import VulnerabilityFlagType

from ..models import Submission
from .common import find_open_case

logger = logging.getLogger(__name__)

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
    pk = submission.pk
    transaction.on_commit(lambda: _notify_mash(pk))


def _notify_mash(submission_pk: int) -> bool:
    """Tell the MASH address once; whether it was told now."""
    address = getattr(settings, "CMETRACK_MASH_EMAIL", "")
    submission = Submission.objects.get(pk=submission_pk)
    if not address or submission.mash_notified_at is not None:
        return False
    # A reference, the reasons and a link only: no child's name or details leave by email.
    try:
        send_mail(
            subject=f"cmetrack: safeguarding escalation on arrival {submission.reference}",
            message=(
                "A submission to the Children Missing Education team needs safeguarding "
                "attention now.\n"
                f"Reference: {submission.reference}\n"
                f"Why: {'; '.join(submission.urgent_reasons)}\n"
                f"Sign in to see it: {settings.CMETRACK_BASE_URL}"
                f"{reverse('referrals:triage', args=[submission.public_id])}\n"
            ),
            from_email=None,
            recipient_list=[address],
        )
    except Exception:  # the daily tick retries; a mail outage must not lose the escalation
        logger.exception("MASH email for %s could not be sent", submission.reference)
        return False
    told = Submission.objects.filter(pk=submission_pk, mash_notified_at__isnull=True).update(
        mash_notified_at=timezone.now()
    )
    return bool(told)


def arrival_escalations_notify_missing() -> int:
    """For the daily job: tell MASH about any escalated arrival it was not told about yet."""
    pending = Submission.objects.filter(escalated_at__isnull=False, mash_notified_at__isnull=True)
    return sum(_notify_mash(pk) for pk in pending.values_list("pk", flat=True))
