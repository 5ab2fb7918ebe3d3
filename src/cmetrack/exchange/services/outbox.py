"""The exchange's outbox: a message to a peer is recorded in the transaction of the work it
reports (a hand-over sent, a hand-over answered) and delivered by the worker, signed, with
every attempt recorded on the message and on the case's timeline.

Delivery claims the row with a conditional UPDATE, so of two workers only one sends. A failure
that may pass (the network, a 5xx, 429, and 401/403, which an administrator can put right by
fixing the token or secret) is tried again after a growing wait; a refusal of the message itself
(any other 4xx) is not. After CMETRACK_EXCHANGE_MAX_ATTEMPTS, or at such a refusal, the message
is given up and the team alerted with a task on the case (an email if there is no open case):
never silently. The peer records a message once by its id, so a delivery repeated after a
worker stopped mid-send does no harm.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cmetrack.api.signing import signed_headers
from cmetrack.cases.events import EventKind
from cmetrack.cases.services import CaseError, case_intake_event, task_create
from cmetrack.notifications.services import email_queue
from cmetrack.referrals.models import HandoverState, OtherLaNotification
from cmetrack.referrals.services import IntakeError
from cmetrack.referrals.services.handover import handover_update

from ..conf import max_attempts, timeout
from ..crypto import KeyMissing
from ..models import DeliveryAttempt, MessageKind, OutboxMessage, Peer
from .peers import peer_secret, peer_token

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

PATHS = {
    MessageKind.HANDOVER: "/api/v1/exchange/notifications/",
    MessageKind.REPLY: "/api/v1/exchange/replies/",
    MessageKind.WITHDRAWAL: "/api/v1/exchange/withdrawals/",
}
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=2)
SENDING_STALLED = timedelta(minutes=10)
# A message's payload is the child's details: kept while it may still be sent, then blanked
# (the hand-over itself holds them, under retention like any submission).
PAYLOAD_KEPT = timedelta(days=30)
RETRY_STATUSES = frozenset({401, 403, 408, 429})
ERROR_CHARS = 300


def retry_wait(attempts: int) -> timedelta:
    """A minute after the first failure, doubling, never more than two hours: eight tries
    span about four hours, inside a working day."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def handover_payload(note: OtherLaNotification) -> dict[str, Any]:
    """The hand-over as the receiving authority's other-LA notification form reads it (the
    same fields as its API's POST /api/v1/other-la-notifications/)."""
    officer = note.submitted_by
    concerns = note.concerns
    concerns += ("\n\n" if concerns else "") + (
        f"Hand-over {note.reference} from {settings.CMETRACK_AUTHORITY_NAME}: the case there "
        "stays open until you accept."
    )
    fields = {
        "nature": "moved_in",
        "forenames": note.forenames,
        "surname": note.surname,
        "date_of_birth": note.date_of_birth.isoformat() if note.date_of_birth else None,
        "sex": note.sex,
        "upn": note.upn,
        "address_line_1": note.address_line_1,
        "town": note.town,
        "postcode": note.postcode,
        "previous_address": note.previous_address,
        "concerns": concerns,
        "officer_name": officer.get_full_name() if officer else "",
        "officer_phone": getattr(settings, "CMETRACK_AUTHORITY_PHONE", ""),
        "officer_email": officer.email if officer else "",
    }
    return {"reference": note.reference, "notification": fields}


def reply_payload(*, reference: str, answer: str, reason: str) -> dict[str, Any]:
    return {"reference": reference, "answer": answer, "reason": reason}


def withdrawal_payload(*, reference: str, reason: str) -> dict[str, Any]:
    """Our hand-over `reference` is withdrawn (the child did not move, or was sent wrongly)."""
    return {"reference": reference, "reason": reason}


def outbox_queue(
    *, peer: Peer, kind: MessageKind, notification: OtherLaNotification, payload: dict[str, Any]
) -> OutboxMessage:
    """Record a message for the peer inside the caller's transaction; the worker is prompted
    once it commits (and the scheduled job delivers it anyway if that prompt is lost)."""
    now = timezone.now()
    message = OutboxMessage.objects.create(
        peer=peer,
        kind=kind,
        notification=notification,
        payload=payload,
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _prompt(message.pk))
    return message


def _prompt(pk: int) -> None:
    from ..tasks import exchange_deliver_task  # the tasks module imports this one

    try:
        exchange_deliver_task.enqueue(pk)
    except Exception:
        logger.warning("Exchange message %s not queued; the scheduled job will send it", pk)


def _this_attempt(message: OutboxMessage) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, attempts=message.attempts
    )


def message_deliver(message_id: int) -> str:
    """Deliver one message if it is due and no one else is delivering it. Never raises for a
    failed delivery: the row records it. Returns "delivered", "failed", "gave_up" or
    "skipped"."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        pk=message_id,
        status__in=[Status.QUEUED, Status.FAILED],
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.select_related("peer", "notification").get(pk=message_id)
    if not message.peer.active:
        return _fail(message, "The peer authority was removed.", None, 0, final=True)
    body = json.dumps({"message_id": str(message.public_id), **message.payload}).encode()
    url = message.peer.base_url + PATHS[MessageKind(message.kind)]
    wait = timeout()  # connect and read, each: a peer that hangs cannot hold the worker
    started = time.monotonic()
    try:
        headers = {
            "Authorization": f"Bearer {peer_token(message.peer)}",
            "Content-Type": "application/json",
            **signed_headers(
                peer_secret(message.peer), method="POST", path=urlsplit(url).path, body=body
            ),
        }
        # No redirects: a redirect would carry the child's details somewhere not configured.
        response = requests.post(
            url, data=body, headers=headers, timeout=wait, allow_redirects=False
        )
    except KeyMissing as error:
        return _fail(message, str(error), None, _ms(started), final=False)
    except requests.RequestException as error:
        return _fail(message, f"{type(error).__name__}: {error}", None, _ms(started), final=False)
    elapsed = _ms(started)
    if 200 <= response.status_code < 300:
        return _delivered(message, response, elapsed)
    final = not (response.status_code >= 500 or response.status_code in RETRY_STATUSES)
    return _fail(message, _refusal(response), response.status_code, elapsed, final=final)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _refusal(response: requests.Response) -> str:
    """The peer's own messages (its API's error body: no child's details), else the code."""
    try:
        errors = response.json().get("errors", [])
        text = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError):
        text = ""
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


def _timeline(message: OutboxMessage, label: str, detail: str = "") -> None:
    """On the sending case's timeline ("Hand-over to Knowsley: delivered ..."). A reply's
    delivery is not written on the receiving side's case (whose timeline has no line for a
    hand-over *from* an authority): its attempts are on the message, and a reply given up
    sets the team a task (`_alert`)."""
    case = message.notification.case
    if case is None or message.kind != MessageKind.HANDOVER:
        return
    case_intake_event(
        case=case,
        kind=EventKind.HANDOVER_CHANGED,
        by=None,
        authority=message.peer.name,
        state_label=label,
        reference=message.notification.reference,
        reason=detail,
    )


@transaction.atomic
def _delivered(message: OutboxMessage, response: requests.Response, elapsed: int) -> str:
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    remote = str(answer.get("reference", ""))[:20] if isinstance(answer, dict) else ""
    updated = _this_attempt(message).update(
        status=Status.DELIVERED,
        delivered_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        remote_reference=remote,
    )
    if not updated:
        return "skipped"  # a later attempt owns the row now
    DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        delivered=True,
        http_status=response.status_code,
        milliseconds=elapsed,
    )
    what = {
        MessageKind.HANDOVER: "delivered to their cmetrack",
        MessageKind.WITHDRAWAL: "withdrawal sent",
    }.get(MessageKind(message.kind), "reply sent")
    _timeline(
        message,
        f"{what} (attempt {message.attempts})",
        f"Their reference {remote}." if remote else "",
    )
    note = OtherLaNotification.objects.get(pk=message.notification_id)
    if message.kind == MessageKind.HANDOVER and note.handover_state == HandoverState.SENT:
        # Their system holds it now: acknowledged, in their name, as if they had said so.
        try:
            handover_update(
                notification=note, to=HandoverState.ACKNOWLEDGED, by=message.peer.account
            )
        except IntakeError:
            logger.warning("Hand-over %s delivered but not marked acknowledged", note.reference)
    return Status.DELIVERED.value


@transaction.atomic
def _fail(
    message: OutboxMessage, error: str, http_status: int | None, elapsed: int, *, final: bool
) -> str:
    gave_up = final or message.attempts >= max_attempts()
    status = Status.GAVE_UP if gave_up else Status.FAILED
    next_at = None if gave_up else timezone.now() + retry_wait(message.attempts)
    updated = _this_attempt(message).update(
        status=status, next_attempt_at=next_at, last_error=error[:ERROR_CHARS]
    )
    if not updated:
        return "skipped"
    DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        delivered=False,
        http_status=http_status,
        error=error[:ERROR_CHARS],
        milliseconds=elapsed,
    )
    log = logger.error if gave_up else logger.warning
    log(
        "Exchange message %s to %s attempt %d failed (%s); %s",
        message.public_id,
        message.peer.la_code,
        message.attempts,
        http_status or "no answer",
        "giving up" if gave_up else f"next attempt after {_local(next_at)}",
    )
    if gave_up:
        _timeline(message, f"delivery given up after {message.attempts} attempt(s)", error)
        _alert(message, error)
    else:
        _timeline(
            message,
            f"delivery attempt {message.attempts} failed, trying again after {_local(next_at)}",
            error,
        )
    return status.value


def _local(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%H:%M on %d/%m/%Y}" if moment else ""


def _alert(message: OutboxMessage, error: str) -> None:
    """The team must know: a task on the case for the officer who sent the hand-over, or an
    email to the team's address when there is no open case to put it on."""
    note = message.notification
    what = "hand-over" if message.kind == MessageKind.HANDOVER else "reply to the hand-over"
    title = (
        f"The {what} {note.reference} could not be delivered to {message.peer.name}'s "
        "cmetrack: send it by secure email (the hand-over's export)"
    )
    # A hand-over's officer sent it; a reply's is whoever triaged what the peer sent (the
    # inbound notification's sender is the peer's own account, not one of the team).
    officer = note.triaged_by if message.kind == MessageKind.REPLY else note.submitted_by
    case, officer = note.case, officer or note.triaged_by
    if case is not None and case.is_open and officer is not None:
        try:
            task_create(
                case=case, title=title, due_on=timezone.localdate(), by=officer, assigned_to=officer
            )
            return
        except CaseError:
            pass
    team = getattr(settings, "CMETRACK_AUTHORITY_EMAIL", "")
    sent = email_queue(
        to=[team] if team else [],
        subject="cmetrack: a message to another authority was not delivered",
        body=f"{title}.\n\nThe last error: {error}",
        kind="exchange-gave-up",
        reference=note.reference,
    )
    if sent is None:
        logger.error("Exchange message %s given up and no team address to tell", message.public_id)


def give_up_waiting(*, peer: Peer, why: str) -> int:
    """Give up every message still waiting for a peer, alerting the team for each."""
    waiting = OutboxMessage.objects.filter(peer=peer, status__in=[Status.QUEUED, Status.FAILED])
    count = 0
    for message in waiting.select_related("peer", "notification"):
        if OutboxMessage.objects.filter(pk=message.pk, status=message.status).update(
            status=Status.GAVE_UP, next_attempt_at=None, last_error=why
        ):
            _timeline(message, "delivery given up", why)
            _alert(message, why)
            count += 1
    return count


def messages_deliver_due() -> int:
    """For the scheduler, every minute: deliver what is due (queued, or failed and its wait
    over) and release what a stopped worker left 'sending'. Safe if two run at once: each
    delivery claims its row. Returns how many were attempted."""
    now = timezone.now()
    OutboxMessage.objects.filter(
        status=Status.SENDING, last_attempt_at__lt=now - SENDING_STALLED
    ).update(status=Status.FAILED, next_attempt_at=now, last_error="Stopped while sending")
    due = OutboxMessage.objects.filter(
        status__in=[Status.QUEUED, Status.FAILED], next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")
    return sum(message_deliver(pk) != "skipped" for pk in due.values_list("pk", flat=True))


def payloads_forget(now: datetime | None = None) -> int:
    """Blank the payload of messages delivered or given up more than PAYLOAD_KEPT ago: the
    outbox keeps when, to whom and how each attempt went, not a second copy of the child."""
    cutoff = (now or timezone.now()) - PAYLOAD_KEPT
    return (
        OutboxMessage.objects.filter(status__in=[Status.DELIVERED, Status.GAVE_UP])
        .filter(Q(delivered_at__lt=cutoff) | Q(delivered_at__isnull=True, created_at__lt=cutoff))
        .exclude(payload={})
        .update(payload={})
    )
