"""What a peer delivers to us: a hand-over (it lands in the incoming queue, as a notification
typed in by that authority would) or a reply to one of our hand-overs (it moves the hand-over
on, through the referrals services, in that authority's name).

Each message is recorded once by the sender's id (`InboundMessage`, unique per peer and id):
the same id again gets the first answer back and writes nothing, so a sender that retried
after losing our answer does no harm. Two deliveries of the same id at once are settled by
the unique constraint: the loser rolls back its work and answers with the winner's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from cmetrack.accounts.models import User
from cmetrack.api.representations import submission_status
from cmetrack.referrals.models import Direction, HandoverState, OtherLaNotification
from cmetrack.referrals.sending import OTHER_LA_NOTIFICATION
from cmetrack.referrals.services import IntakeError
from cmetrack.referrals.services.handover import (
    handover_information_requested,
    handover_update,
    notification_withdrawn_by_sender,
)

from ..models import Answer, InboundMessage, MessageKind, Peer
from .errors import ExchangeError

REFERENCE_CHARS = 20


@dataclass(frozen=True)
class Receipt:
    """The answer to give the peer; `first` is False for a repeated message id."""

    answer: dict[str, Any]
    first: bool


def already_received(*, peer: Peer, message_id: uuid.UUID) -> Receipt | None:
    found = InboundMessage.objects.filter(peer=peer, message_id=message_id).first()
    return Receipt(answer=found.answer, first=False) if found is not None else None


def _once(*, peer: Peer, message_id: uuid.UUID, kind: MessageKind, work: Any) -> Receipt:
    """Run `work()` (returns the notification, the sender's reference and the answer) and
    record the message, in one transaction; a repeated id answers as the first did."""
    try:
        with transaction.atomic():
            notification, reference, answer = work()
            InboundMessage.objects.create(
                peer=peer,
                message_id=message_id,
                kind=kind,
                remote_reference=reference[:REFERENCE_CHARS],
                notification=notification,
                answer=answer,
            )
    except IntegrityError:
        repeat = already_received(peer=peer, message_id=message_id)
        if repeat is None:
            raise
        return repeat
    return Receipt(answer=answer, first=True)


def handover_receive(
    *, peer: Peer, message_id: uuid.UUID, reference: str, form: Any, by: User
) -> Receipt:
    """Record a hand-over a peer sent, checked by the other-LA notification form (`form`,
    already valid), through the same service as one typed in. It lands in the incoming
    queue; our triage of it is sent back (receivers.py)."""
    if not peer.active or by.pk != peer.account_id:
        raise ExchangeError("This account is not an active peer authority.")
    repeat = already_received(peer=peer, message_id=message_id)
    if repeat is not None:
        return repeat
    reference = reference.strip()
    if not reference:
        raise ExchangeError("Give the hand-over's reference.", "reference")

    def work() -> tuple[OtherLaNotification, str, dict[str, Any]]:
        try:
            note = OTHER_LA_NOTIFICATION.submit(form, by)
        except IntakeError as error:
            raise ExchangeError(str(error), getattr(error, "field", "") or "") from error
        assert isinstance(note, OtherLaNotification)
        return note, reference, {"message_id": str(message_id), **submission_status(note)}

    return _once(peer=peer, message_id=message_id, kind=MessageKind.HANDOVER, work=work)


def reply_receive(
    *,
    peer: Peer,
    message_id: uuid.UUID,
    reference: str,
    answer: str,
    reason: str,
    by: User,
) -> Receipt:
    """A peer's answer to one of our hand-overs to it (found by our reference, and only among
    those addressed to its LA code: another authority's is not found). Accepted closes our
    case, declined returns it to enquiries, more information sets the sending officer a task;
    all through the hand-over services, in the peer's name."""
    if not peer.active or by.pk != peer.account_id:
        raise ExchangeError("This account is not an active peer authority.")
    repeat = already_received(peer=peer, message_id=message_id)
    if repeat is not None:
        return repeat
    if answer not in Answer.values:
        raise ExchangeError(f"Answer one of: {', '.join(Answer.values)}.", "answer")
    note = OtherLaNotification.objects.filter(
        direction=Direction.OUTBOUND, reference=reference.strip(), other_la_code=peer.la_code
    ).first()
    if note is None:
        raise LookupError(reference)

    def work() -> tuple[OtherLaNotification, str, dict[str, Any]]:
        try:
            if answer == Answer.MORE_INFORMATION:
                handover_information_requested(notification=note, question=reason, by=by)
            else:
                to = HandoverState.ACCEPTED if answer == Answer.ACCEPTED else HandoverState.DECLINED
                handover_update(notification=note, to=to, by=by, reason=reason)
        except IntakeError as error:
            raise ExchangeError(str(error), getattr(error, "field", "") or "") from error
        note.refresh_from_db()
        return (
            note,
            note.reference,
            {
                "message_id": str(message_id),
                "reference": note.reference,
                "handover_state": note.handover_state,
            },
        )

    return _once(peer=peer, message_id=message_id, kind=MessageKind.REPLY, work=work)


def withdrawal_receive(
    *, peer: Peer, message_id: uuid.UUID, reference: str, reason: str, by: User
) -> Receipt:
    """A peer withdraws a hand-over it delivered to us (found by its own reference, among what
    that peer delivered: another authority's is not found). Recorded on the notification, and
    on a case opened from it with a task to check; nothing is closed (referrals'
    `notification_withdrawn_by_sender`)."""
    if not peer.active or by.pk != peer.account_id:
        raise ExchangeError("This account is not an active peer authority.")
    repeat = already_received(peer=peer, message_id=message_id)
    if repeat is not None:
        return repeat
    delivered = (
        InboundMessage.objects.filter(
            peer=peer, kind=MessageKind.HANDOVER, remote_reference=reference.strip()[:20]
        )
        .exclude(notification=None)
        .first()
    )
    if delivered is None or delivered.notification_id is None:
        raise LookupError(reference)
    inbound = OtherLaNotification.objects.get(pk=delivered.notification_id)

    def work() -> tuple[OtherLaNotification, str, dict[str, Any]]:
        try:
            note = notification_withdrawn_by_sender(notification=inbound, reason=reason, by=by)
        except IntakeError as error:
            raise ExchangeError(str(error), getattr(error, "field", "") or "") from error
        return (
            note,
            reference.strip(),
            {"message_id": str(message_id), "reference": note.reference, "withdrawn": True},
        )

    return _once(peer=peer, message_id=message_id, kind=MessageKind.WITHDRAWAL, work=work)
