"""Receiving from a peer: a hand-over lands in the incoming queue once per message id; a reply
moves our hand-over on through the referrals services; our triage queues the answer back."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import Case, Outcome, Task
from cmetrack.cases.status import Status
from cmetrack.exchange.models import InboundMessage, MessageKind, OutboxMessage, Peer
from cmetrack.exchange.services.peers import generate_signing_secret, peer_add
from cmetrack.referrals.models import (
    Direction,
    HandoverState,
    OtherLaNotification,
    TriageState,
)
from cmetrack.referrals.services import (
    IntakeError,
    handover_send,
    submission_no_action,
    submission_open_case,
)
from cmetrack.referrals.services.handover import notification_information_request
from cmetrack.testing.factories import CaseFactory, OrganisationFactory, UserFactory

from .conftest import KNOWSLEY, NOTIFICATIONS, REPLIES, WITHDRAWALS, PeerClient, handover_message

pytestmark = pytest.mark.django_db


def _received(as_peer: PeerClient, message_id: str | None = None) -> OtherLaNotification:
    answer = as_peer.post(NOTIFICATIONS, handover_message(message_id or str(uuid.uuid4())))
    assert answer.status_code == 201, answer.json()
    return OtherLaNotification.objects.get(public_id=answer.json()["id"])


def test_a_peers_handover_lands_in_the_incoming_queue(as_peer: PeerClient, peer: Peer) -> None:
    message_id = str(uuid.uuid4())
    answer = as_peer.post(NOTIFICATIONS, handover_message(message_id))
    assert answer.status_code == 201
    body = answer.json()
    assert body["message_id"] == message_id and body["reference"].startswith("OLA-")
    note = OtherLaNotification.objects.get(public_id=body["id"])
    assert note.direction == Direction.INBOUND and note.triage_state == TriageState.NEW
    assert (note.other_la_code, note.other_la_name) == (KNOWSLEY, peer.name)
    assert (note.forenames, note.surname) == ("Amelia", "Porter")
    inbound = InboundMessage.objects.get()
    assert inbound.remote_reference == "OLA-KNOW-0001" and inbound.notification_id == note.pk


def test_the_same_message_id_twice_answers_as_first_and_writes_nothing(
    as_peer: PeerClient,
) -> None:
    message_id = str(uuid.uuid4())
    first = as_peer.post(NOTIFICATIONS, handover_message(message_id))
    entries = LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()
    again = as_peer.post(NOTIFICATIONS, handover_message(message_id))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert OtherLaNotification.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count() == entries
    # Even a changed body under the same id is the first message, recorded once.
    changed = handover_message(message_id)
    changed["notification"]["surname"] = "Someone Else"
    assert as_peer.post(NOTIFICATIONS, changed).json() == first.json()
    assert OtherLaNotification.objects.count() == 1


def test_a_bad_notification_is_refused_field_by_field_and_records_nothing(
    as_peer: PeerClient,
) -> None:
    message = handover_message(str(uuid.uuid4()))
    message["notification"]["surname"] = ""
    message["notification"]["date_of_birth"] = "27/03/2015"
    answer = as_peer.post(NOTIFICATIONS, message)
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {"field": "notification.date_of_birth", "message": "Give the date as YYYY-MM-DD."}
        ]
    }
    del message["notification"]["date_of_birth"]
    answer = as_peer.post(NOTIFICATIONS, message)
    assert answer.status_code == 400
    assert {"notification.surname"} <= {e["field"] for e in answer.json()["errors"]}
    bad_id = as_peer.post(NOTIFICATIONS, {**handover_message("nope")})
    assert bad_id.json()["errors"][0]["field"] == "message_id"
    assert not OtherLaNotification.objects.exists() and not InboundMessage.objects.exists()


def test_every_call_is_audited_against_its_token(as_peer: PeerClient) -> None:
    as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert entry.additional_data == {
        "api": "api:exchange-api:notifications",
        "method": "POST",
        "status": 201,
    }


@pytest.mark.parametrize("path", [NOTIFICATIONS, REPLIES, WITHDRAWALS])
def test_the_wrong_role_is_refused_on_every_endpoint(
    path: str,
    peer: Peer,
    officer: User,
    school_user: User,
    agency_user: User,
    outsider: User,
    token_for: Callable[[User], str],
) -> None:
    message = handover_message(str(uuid.uuid4()))
    # Not a peer's account: 403, whatever its role, even another authority's own user.
    for user in (officer, school_user, agency_user, outsider):
        answer = PeerClient(token_for(user), None).post(path, message)
        assert answer.status_code == 403, user
        assert answer.json()["errors"][0]["message"].startswith("This token's account is not")
    # No token: 401. A peer's token unsigned: 401.
    assert PeerClient("", None).client.post(path, {}).status_code == 401
    assert PeerClient(token_for(peer.account), None).post(path, message).status_code == 401
    assert not OtherLaNotification.objects.exists()


def test_a_revoked_peer_is_refused(as_peer: PeerClient, peer: Peer, admin_user: User) -> None:
    from cmetrack.exchange.services.peers import peer_remove

    _received(as_peer)
    peer_remove(peer=peer, by=admin_user)
    answer = as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    assert answer.status_code == 403


# --- our triage goes back to the peer --------------------------------------------------------


def _replies() -> list[dict[str, str]]:
    return [m.payload for m in OutboxMessage.objects.filter(kind=MessageKind.REPLY)]


def test_opening_a_case_from_a_peers_handover_queues_accepted(
    as_peer: PeerClient, officer: User, peer: Peer
) -> None:
    note = _received(as_peer)
    submission_open_case(submission=note, by=officer)
    [reply] = _replies()
    assert reply["reference"] == "OLA-KNOW-0001" and reply["answer"] == "accepted"
    message = OutboxMessage.objects.get()
    assert message.peer == peer and message.status == OutboxMessage.Status.QUEUED


def test_no_action_on_a_peers_handover_queues_declined_with_the_reason(
    as_peer: PeerClient, officer: User
) -> None:
    note = _received(as_peer)
    submission_no_action(submission=note, reason="The family is not at this address.", by=officer)
    assert _replies() == [
        {
            "reference": "OLA-KNOW-0001",
            "answer": "declined",
            "reason": "The family is not at this address.",
        }
    ]


def test_asking_a_peer_for_more_information_queues_the_question(
    as_peer: PeerClient, officer: User
) -> None:
    note = _received(as_peer)
    notification_information_request(
        notification=note, question="Which school did she last attend?", by=officer
    )
    note.refresh_from_db()
    assert note.triage_state == TriageState.NEW  # still in the queue, undecided
    assert "Which school did she last attend?" in note.triage_note
    assert _replies() == [
        {
            "reference": "OLA-KNOW-0001",
            "answer": "more_information",
            "reason": "Which school did she last attend?",
        }
    ]


def test_asking_for_more_information_is_the_teams_alone_and_needs_a_question(
    as_peer: PeerClient, officer: User, school_user: User
) -> None:
    note = _received(as_peer)
    with pytest.raises(IntakeError):
        notification_information_request(notification=note, question="Why?", by=school_user)
    with pytest.raises(IntakeError, match="Enter what you need"):
        notification_information_request(notification=note, question="  ", by=officer)
    submission_open_case(submission=note, by=officer)
    with pytest.raises(IntakeError, match="already triaged"):
        notification_information_request(notification=note, question="Why?", by=officer)
    assert [r["answer"] for r in _replies()] == ["accepted"]


def test_a_notification_typed_in_by_hand_sends_nothing_back(officer: User, peer: Peer) -> None:
    org = OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Wirral", la_code="344")
    wirral = UserFactory(role=User.Role.OTHER_LA_USER, organisation=org)
    from cmetrack.referrals.services import (
        ChildParticulars,
        OtherLaData,
        other_la_notification_submit,
    )

    note = other_la_notification_submit(
        data=OtherLaData(
            child=ChildParticulars(forenames="Amelia", surname="Porter"),
            nature="moved_in",
            other_la_name="Wirral",
        ),
        by=wirral,
    )
    submission_open_case(submission=note, by=officer)
    assert not OutboxMessage.objects.exists()


# --- a peer's reply to our hand-over ---------------------------------------------------------


@pytest.fixture
def sent(officer: User, peer: Peer) -> OtherLaNotification:
    case = CaseFactory(status=Status.ENQUIRIES)
    return handover_send(
        case=case, other_la_name="Knowsley Council", other_la_code=KNOWSLEY, by=officer
    )


def _case(note: OtherLaNotification) -> Case:
    assert note.case_id is not None
    return Case.objects.get(pk=note.case_id)


def _reply(note: OtherLaNotification, answer: str, reason: str = "") -> dict[str, str]:
    return {
        "message_id": str(uuid.uuid4()),
        "reference": note.reference,
        "answer": answer,
        "reason": reason,
    }


def test_sending_a_handover_to_a_peer_queues_it(sent: OtherLaNotification, peer: Peer) -> None:
    message = OutboxMessage.objects.get()
    assert (message.kind, message.peer, message.notification_id) == (
        MessageKind.HANDOVER,
        peer,
        sent.pk,
    )
    assert message.payload["reference"] == sent.reference
    assert message.payload["notification"]["surname"] == sent.surname


def test_a_handover_to_an_authority_without_cmetrack_queues_nothing(
    officer: User, peer: Peer
) -> None:
    handover_send(
        case=CaseFactory(status=Status.ENQUIRIES),
        other_la_name="Wirral",
        other_la_code="344",
        by=officer,
    )
    assert not OutboxMessage.objects.exists()


def test_accepted_closes_our_case_once(as_peer: PeerClient, sent: OtherLaNotification) -> None:
    case = _case(sent)
    assert case.is_open and case.status == Status.TRANSFERRED
    reply = _reply(sent, "accepted")
    first = as_peer.post(REPLIES, reply)
    assert first.status_code == 201
    assert first.json() == {
        "message_id": reply["message_id"],
        "reference": sent.reference,
        "handover_state": "accepted",
    }
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.outcome == Outcome.HANDED_TO_OTHER_LA
    again = as_peer.post(REPLIES, reply)
    assert (again.status_code, again.json()) == (200, first.json())
    sent.refresh_from_db()
    assert [c.to_state for c in sent.handover_changes.all()] == ["sent", "accepted"]


def test_declined_returns_our_case_to_enquiries(
    as_peer: PeerClient, sent: OtherLaNotification
) -> None:
    assert as_peer.post(REPLIES, _reply(sent, "declined")).status_code == 400  # needs a reason
    answer = as_peer.post(REPLIES, _reply(sent, "declined", "Not known at that address."))
    assert answer.status_code == 201
    sent.refresh_from_db()
    assert sent.handover_state == HandoverState.DECLINED
    assert sent.handover_reason == "Not known at that address."
    assert _case(sent).status == Status.ENQUIRIES


def test_more_information_keeps_our_case_open_and_sets_the_officer_a_task(
    as_peer: PeerClient, sent: OtherLaNotification, officer: User
) -> None:
    answer = as_peer.post(REPLIES, _reply(sent, "more_information", "Her last school?"))
    assert answer.status_code == 201 and answer.json()["handover_state"] == "sent"
    case = _case(sent)
    assert case.is_open and case.status == Status.TRANSFERRED
    task = Task.objects.get(case=case)
    assert "Her last school?" in task.title and task.assigned_to == officer
    assert [c.to_state for c in sent.handover_changes.all()] == ["sent", "more_info"]
    # They can still accept afterwards.
    assert as_peer.post(REPLIES, _reply(sent, "accepted")).status_code == 201
    assert _case(sent).status == Status.CLOSED


def test_a_reply_about_a_handover_to_another_authority_is_not_found(
    as_peer: PeerClient, officer: User, admin_user: User, token_for: Callable[[User], str]
) -> None:
    wirral_secret = generate_signing_secret()
    wirral = peer_add(
        la_code="344",
        name="Wirral",
        base_url="https://cmetrack.wirral.example",
        token="cmt_" + "w" * 43,
        signing_secret=wirral_secret,
        by=admin_user,
    )
    theirs = handover_send(
        case=CaseFactory(status=Status.ENQUIRIES),
        other_la_name="Wirral",
        other_la_code="344",
        by=officer,
    )
    answer = as_peer.post(REPLIES, _reply(theirs, "accepted"))
    assert answer.status_code == 404
    assert answer.json() == {"errors": [{"field": None, "message": "No such hand-over."}]}
    assert (
        as_peer.post(REPLIES, {**_reply(theirs, "accepted"), "reference": "OLA-NONE"}).status_code
        == 404
    )
    # Wirral itself may answer it.
    as_wirral = PeerClient(token_for(wirral.account), wirral_secret)
    assert as_wirral.post(REPLIES, _reply(theirs, "accepted")).status_code == 201


def test_a_bad_answer_is_refused(as_peer: PeerClient, sent: OtherLaNotification) -> None:
    answer = as_peer.post(REPLIES, _reply(sent, "maybe"))
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "answer"
    answer = as_peer.post(REPLIES, {**_reply(sent, "accepted"), "extra": 1})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "extra"
    assert HandoverState(OtherLaNotification.objects.get(pk=sent.pk).handover_state) == "sent"


def test_more_information_is_refused_once_answered_or_by_anyone_else(
    sent: OtherLaNotification, officer: User, school_user: User, outsider: User
) -> None:
    from cmetrack.referrals.services.handover import (
        handover_information_requested,
        handover_update,
    )

    with pytest.raises(IntakeError, match="cannot change"):
        handover_information_requested(notification=sent, question="Why?", by=school_user)
    # Wirral's user (344) may not answer a hand-over addressed to Knowsley (340).
    with pytest.raises(IntakeError, match="cannot change"):
        handover_information_requested(notification=sent, question="Why?", by=outsider)
    with pytest.raises(IntakeError, match="Enter what the authority asked for"):
        handover_information_requested(notification=sent, question=" ", by=officer)
    # The team records a question it was asked by phone: no state change, a task.
    handover_information_requested(notification=sent, question="Her last school?", by=officer)
    sent.refresh_from_db()
    assert sent.handover_state == HandoverState.SENT
    assert Task.objects.filter(case=_case(sent)).count() == 1
    handover_update(notification=sent, to="accepted", by=officer)
    with pytest.raises(IntakeError, match="already accepted"):
        handover_information_requested(notification=sent, question="More?", by=officer)
