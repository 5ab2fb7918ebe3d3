"""What the exchange does when intake tells it something (referrals/signals.py). Each receiver
runs inside the transaction of the change, so its outbox message commits with it or not at all.

- A hand-over sent to an authority that is a peer: queue it to that authority's cmetrack.
  (No peer: nothing is sent; the hand-over's export is there for secure email, export.py.)
- A notification a peer delivered is triaged here: queue the answer back to it (linked to a
  case or triaged: accepted; no action: declined, with the team's note as the reason).
- The team asks a peer's notification for more information: queue that question back.
- A hand-over to a peer is withdrawn: queue the withdrawal; or, if the hand-over itself has not
  been delivered yet, stop trying to deliver it (they never had it).
"""

from __future__ import annotations

from typing import Any

from cmetrack.referrals.models import HandoverState, OtherLaNotification, Submission, TriageState

from .models import Answer, InboundMessage, MessageKind, OutboxMessage, Peer
from .services.outbox import handover_payload, outbox_queue, reply_payload, withdrawal_payload
from .services.peers import peer_for_la_code

DECLINED_WITHOUT_NOTE = "The receiving authority recorded no action."


def on_handover_sent(*, notification: OtherLaNotification, **_: Any) -> None:
    peer = peer_for_la_code(notification.other_la_code)
    if peer is None:
        return
    outbox_queue(
        peer=peer,
        kind=MessageKind.HANDOVER,
        notification=notification,
        payload=handover_payload(notification),
    )


def _delivered_by_peer(submission: Submission) -> InboundMessage | None:
    return (
        InboundMessage.objects.filter(
            kind=MessageKind.HANDOVER, notification_id=submission.pk, peer__active=True
        )
        .select_related("peer")
        .first()
    )


def _reply(inbound: InboundMessage, *, answer: Answer, reason: str) -> None:
    peer: Peer = inbound.peer
    outbox_queue(
        peer=peer,
        kind=MessageKind.REPLY,
        notification=OtherLaNotification.objects.get(pk=inbound.notification_id),
        payload=reply_payload(
            reference=inbound.remote_reference, answer=answer.value, reason=reason
        ),
    )


def on_submission_triaged(*, submission: Submission, state: str, note: str, **_: Any) -> None:
    inbound = _delivered_by_peer(submission)
    if inbound is None:
        return
    if state == TriageState.NO_ACTION:
        _reply(inbound, answer=Answer.DECLINED, reason=note.strip() or DECLINED_WITHOUT_NOTE)
    elif state in {TriageState.LINKED, TriageState.TRIAGED}:
        _reply(inbound, answer=Answer.ACCEPTED, reason=note.strip())


def on_information_requested(*, notification: OtherLaNotification, question: str, **_: Any) -> None:
    inbound = _delivered_by_peer(notification)
    if inbound is None:
        return
    _reply(inbound, answer=Answer.MORE_INFORMATION, reason=question)


UNDELIVERED = (OutboxMessage.Status.QUEUED, OutboxMessage.Status.FAILED)
WITHDRAWN_BEFORE_DELIVERY = "Withdrawn before it was delivered: not sent."


def on_handover_changed(
    *, notification: OtherLaNotification, to_state: str, reason: str = "", **_: Any
) -> None:
    if to_state != HandoverState.WITHDRAWN:
        return
    peer = peer_for_la_code(notification.other_la_code)
    if peer is None:
        return
    sent = OutboxMessage.objects.filter(kind=MessageKind.HANDOVER, notification=notification)
    # Waiting for its first or next attempt: it simply stops (nothing reached them).
    sent.filter(status__in=UNDELIVERED).update(
        status=OutboxMessage.Status.GAVE_UP,
        next_attempt_at=None,
        last_error=WITHDRAWN_BEFORE_DELIVERY,
    )
    reached = [OutboxMessage.Status.DELIVERED, OutboxMessage.Status.SENDING]
    if not sent.filter(status__in=reached).exists():
        return
    outbox_queue(
        peer=peer,
        kind=MessageKind.WITHDRAWAL,
        notification=notification,
        payload=withdrawal_payload(reference=notification.reference, reason=reason),
    )
