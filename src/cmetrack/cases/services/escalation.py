"""Escalation to children's social care (DOMAIN.md §5; issue 4): raised once per case and
trigger, the MASH address told, acknowledged and resolved with the action taken."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.notifications.services import email_queue

from ..events import EventKind
from ..models import Case, Escalation
from ..status import Status
from .common import CaseError, event_write, require_team


def escalation_raise(
    *, case: Case, flag_type: VulnerabilityFlagType, by: User | None
) -> Escalation | None:
    """Raise (once per case and trigger) the escalation an escalating flag demands, and notify
    the configured MASH address. Call inside the caller's transaction."""
    if not flag_type.escalates or not case.is_open:
        return None
    if case.escalations.filter(trigger_code=flag_type.code).exists():
        return None
    now = timezone.now()
    with acting_as(by):
        escalation = Escalation.objects.create(
            case=case,
            trigger_code=flag_type.code,
            trigger_label=flag_type.label,
            raised_at=now,
            raised_by=by,
            due_on=timezone.localdate(now),
        )
        event_write(case, EventKind.ESCALATION_RAISED, by, trigger=flag_type.label)
    # In the caller's transaction: the outbox sends it once the escalation is committed.
    _notify_mash(escalation)
    return escalation


def _notify_mash(escalation: Escalation) -> None:
    """Queue the MASH email once. `notified_at` means the email is in the outbox, which sends
    it and retries it through a mail outage; it is stamped by a conditional UPDATE before
    queueing, so nothing is queued twice, and the two commit together or not at all."""
    address = getattr(settings, "CMETRACK_MASH_EMAIL", "")
    if not address:
        return
    with transaction.atomic():
        told = Escalation.objects.filter(pk=escalation.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not told:
            return
        case = escalation.case
        # A reference and a link only: no child's name or details leave the system by email.
        email_queue(
            to=[address],
            subject=f"cmetrack: safeguarding escalation {case.reference}",
            body=(
                "A child missing education case has been escalated to children's social care.\n"
                f"Case reference: {case.reference}\n"
                f"Reason: {escalation.trigger_label}\n"
                f"Sign in to see it: {settings.CMETRACK_BASE_URL}"
                f"{reverse('cases:detail', args=[case.public_id])}\n"
            ),
            kind="mash-escalation",
            reference=case.reference,
        )


def escalations_raise_missing() -> int:
    """For the daily job: any open case whose child carries an escalating flag but has never
    been escalated for it (a flag added by an import, say) is escalated now. Idempotent."""
    raised = 0
    open_cases = (
        Case.objects.exclude(status=Status.CLOSED)
        .filter(child__flags__removed_at__isnull=True, child__flags__flag_type__escalates=True)
        .distinct()
    )
    for case in open_cases.select_related("child"):
        flags = case.child.flags.filter(removed_at__isnull=True, flag_type__escalates=True)
        for flag in flags.select_related("flag_type"):
            try:
                with transaction.atomic():
                    if escalation_raise(case=case, flag_type=flag.flag_type, by=None):
                        raised += 1
            except IntegrityError:
                # Another run raised it a moment ago: the unique constraint kept it single.
                continue
    return raised


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by: User) -> Escalation:
    require_team(by)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.acknowledged_at is not None:
        raise CaseError("This escalation was already acknowledged.")
    with acting_as(by):
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = by
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
        event_write(
            escalation.case, EventKind.ESCALATION_ACKNOWLEDGED, by, trigger=escalation.trigger_label
        )
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, action: str, by: User) -> Escalation:
    require_team(by)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    action = action.strip()
    if escalation.resolved_at is not None:
        raise CaseError("This escalation is already resolved.")
    if not action:
        raise CaseError("Record the action taken before resolving the escalation.")
    with acting_as(by):
        now = timezone.now()
        if escalation.acknowledged_at is None:
            escalation.acknowledged_at, escalation.acknowledged_by = now, by
        escalation.action_taken = action
        escalation.resolved_at, escalation.resolved_by = now, by
        escalation.save()
        event_write(
            escalation.case,
            EventKind.ESCALATION_RESOLVED,
            by,
            trigger=escalation.trigger_label,
            note=action,
        )
    return escalation
