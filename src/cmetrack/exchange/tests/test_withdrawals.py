"""Withdrawals between installations: withdrawing a hand-over a peer already has sends it the
withdrawal; one not yet delivered simply stops; a peer's withdrawal of what it delivered here
is recorded on the notification (and on a case opened from it, with a task to check the child
is still here), closes nothing, and is recorded once per message id."""

from __future__ import annotations

import uuid

import pytest

from cmetrack.accounts.models import User
from cmetrack.cases.models import Task
from cmetrack.cases.status import Status
from cmetrack.exchange.models import MessageKind, OutboxMessage, Peer
from cmetrack.exchange.receivers import WITHDRAWN_BEFORE_DELIVERY
from cmetrack.referrals.models import HandoverState, OtherLaNotification, TriageState
from cmetrack.referrals.services import handover_send, handover_update, submission_open_case
from cmetrack.testing.factories import CaseFactory

from .conftest import KNOWSLEY, NOTIFICATIONS, WITHDRAWALS, PeerClient, handover_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(officer: User, peer: Peer) -> OtherLaNotification:
    return handover_send(
        case=CaseFactory(status=Status.ENQUIRIES),
        other_la_name="Knowsley Council",
        other_la_code=KNOWSLEY,
        by=officer,
    )


def _handover_message() -> OutboxMessage:
    return OutboxMessage.objects.get(kind=MessageKind.HANDOVER)


def test_withdrawing_a_delivered_handover_sends_the_withdrawal(
    sent: OtherLaNotification, officer: User, peer: Peer
) -> None:
    OutboxMessage.objects.filter(pk=_handover_message().pk).update(
        status=OutboxMessage.Status.DELIVERED
    )

    handover_update(
        notification=sent, to=HandoverState.WITHDRAWN, by=officer, reason="Sent in error."
    )

    withdrawal = OutboxMessage.objects.get(kind=MessageKind.WITHDRAWAL)
    assert withdrawal.peer == peer and withdrawal.status == OutboxMessage.Status.QUEUED
    assert withdrawal.payload == {"reference": sent.reference, "reason": "Sent in error."}


def test_withdrawing_before_delivery_stops_the_handover_and_sends_nothing(
    sent: OtherLaNotification, officer: User
) -> None:
    assert _handover_message().status == OutboxMessage.Status.QUEUED

    handover_update(notification=sent, to=HandoverState.WITHDRAWN, by=officer, reason="Oops.")

    stopped = _handover_message()
    assert stopped.status == OutboxMessage.Status.GAVE_UP
    assert stopped.last_error == WITHDRAWN_BEFORE_DELIVERY and stopped.next_attempt_at is None
    assert not OutboxMessage.objects.filter(kind=MessageKind.WITHDRAWAL).exists()


def _received(as_peer: PeerClient) -> OtherLaNotification:
    answer = as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    assert answer.status_code == 201, answer.json()
    return OtherLaNotification.objects.get(public_id=answer.json()["id"])


def _withdrawal(reference: str = "OLA-KNOW-0001", reason: str = "She did not move.") -> dict:
    return {"message_id": str(uuid.uuid4()), "reference": reference, "reason": reason}


def test_a_peers_withdrawal_is_recorded_and_leaves_the_notification_for_the_team(
    as_peer: PeerClient,
) -> None:
    note = _received(as_peer)
    message = _withdrawal()

    first = as_peer.post(WITHDRAWALS, message)
    again = as_peer.post(WITHDRAWALS, message)

    assert first.status_code == 201
    assert first.json() == {
        "message_id": message["message_id"],
        "reference": note.reference,
        "withdrawn": True,
    }
    assert (again.status_code, again.json()) == (200, first.json())
    note.refresh_from_db()
    assert note.triage_state == TriageState.NEW  # the team decides; nothing is closed
    assert note.triage_note.count("She did not move.") == 1


def test_a_withdrawal_of_a_notification_with_a_case_sets_the_team_a_task(
    as_peer: PeerClient, officer: User
) -> None:
    note = _received(as_peer)
    case = submission_open_case(submission=note, by=officer)

    assert as_peer.post(WITHDRAWALS, _withdrawal()).status_code == 201

    case.refresh_from_db()
    assert case.is_open
    task = Task.objects.get(case=case, title__contains="withdrew notification")
    assert task.assigned_to == officer
    labels = [e.payload.get("state_label", "") for e in case.events.all()]
    assert "Withdrawn by the authority that sent it" in labels


def test_a_withdrawal_of_something_that_peer_never_delivered_is_not_found(
    as_peer: PeerClient,
) -> None:
    _received(as_peer)

    answer = as_peer.post(WITHDRAWALS, _withdrawal(reference="OLA-NOPE-0001"))

    assert answer.status_code == 404
