"""Delivery to a peer: signed, with a timeout, no redirects; retried with a growing wait after a
failure that may pass, given up (and the team told) after the last attempt or at a refusal."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_problem
from cmetrack.cases.models import Task
from cmetrack.cases.status import Status
from cmetrack.exchange.models import DeliveryAttempt, OutboxMessage, Peer
from cmetrack.exchange.services import outbox
from cmetrack.exchange.services.outbox import (
    message_deliver,
    messages_deliver_due,
    retry_wait,
)
from cmetrack.referrals.models import HandoverState, OtherLaNotification
from cmetrack.referrals.services import handover_send
from cmetrack.testing.factories import CaseFactory

from .conftest import KNOWSLEY

pytestmark = pytest.mark.django_db
Sent = OutboxMessage.Status


class FakePeer:
    """Stands in for requests.post: records each call, answers from a list."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append({"url": url, **kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        response = requests.Response()
        response.status_code = answer
        body = (
            {"reference": "OLA-THEIRS-01"}
            if answer < 300
            else {"errors": [{"field": None, "message": "Nope."}]}
        )
        response._content = json.dumps(body).encode()
        return response


@pytest.fixture
def sent(officer: User, peer: Peer) -> OtherLaNotification:
    return handover_send(
        case=CaseFactory(status=Status.ENQUIRIES),
        other_la_name="Knowsley Council",
        other_la_code=KNOWSLEY,
        by=officer,
    )


def _install(monkeypatch: pytest.MonkeyPatch, fake: FakePeer) -> FakePeer:
    monkeypatch.setattr(outbox.requests, "post", fake)
    return fake


def _message() -> OutboxMessage:
    return OutboxMessage.objects.get()


def test_delivery_is_signed_with_a_timeout_and_marks_the_handover_acknowledged(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification, secret: str
) -> None:
    fake = _install(monkeypatch, FakePeer(201))
    message = _message()
    assert message_deliver(message.pk) == "delivered"
    [call] = fake.calls
    assert call["url"] == "https://cmetrack.knowsley.example/api/v1/exchange/notifications/"
    assert call["timeout"] == 20 and call["allow_redirects"] is False
    headers = call["headers"]
    assert headers["Authorization"] == "Bearer cmt_" + "k" * 43
    assert (
        signature_problem(
            secret.encode(),
            method="POST",
            path="/api/v1/exchange/notifications/",
            timestamp=headers[TIMESTAMP_HEADER],
            given=headers[SIGNATURE_HEADER],
            body=call["data"],
        )
        is None
    )
    body = json.loads(call["data"])
    assert body["message_id"] == str(message.public_id) and body["reference"] == sent.reference
    message.refresh_from_db()
    assert message.status == Sent.DELIVERED and message.remote_reference == "OLA-THEIRS-01"
    sent.refresh_from_db()
    assert sent.handover_state == HandoverState.ACKNOWLEDGED
    assert sent.case is not None and sent.case.is_open  # open until they accept
    # Delivered once: asked again, nothing is sent.
    assert message_deliver(message.pk) == "skipped" and len(fake.calls) == 1


def test_the_timeout_is_the_setting(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification, settings: Any
) -> None:
    settings.CMETRACK_EXCHANGE_TIMEOUT = "3.5"
    fake = _install(monkeypatch, FakePeer(201))
    message_deliver(_message().pk)
    assert fake.calls[0]["timeout"] == 3.5


def test_retry_waits_grow_and_are_capped() -> None:
    assert [retry_wait(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert retry_wait(20) == timedelta(hours=2)


def test_a_failure_that_may_pass_is_retried_after_a_growing_wait(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification
) -> None:
    _install(monkeypatch, FakePeer(503, requests.ConnectionError("refused"), 201))
    message = _message()
    before = timezone.now()
    assert message_deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == Sent.FAILED and message.attempts == 1
    assert message.next_attempt_at is not None
    assert (
        before + timedelta(minutes=1)
        <= message.next_attempt_at
        <= timezone.now() + timedelta(minutes=1)
    )
    # Not due yet: the scheduled job leaves it.
    assert message_deliver(message.pk) == "skipped"
    assert messages_deliver_due() == 0
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert messages_deliver_due() == 1
    message.refresh_from_db()
    assert message.attempts == 2 and "ConnectionError" in message.last_error
    wait = message.next_attempt_at - message.last_attempt_at  # type: ignore[operator]
    assert timedelta(minutes=2) <= wait < timedelta(minutes=2, seconds=5)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert messages_deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Sent.DELIVERED
    tries = list(DeliveryAttempt.objects.filter(message=message))
    assert [(t.number, t.delivered, t.http_status) for t in tries] == [
        (1, False, 503),
        (2, False, None),
        (3, True, 201),
    ]


def test_after_the_last_attempt_it_gives_up_and_tells_the_officer(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification, settings: Any, officer: User
) -> None:
    settings.CMETRACK_EXCHANGE_MAX_ATTEMPTS = 3
    fake = _install(monkeypatch, FakePeer(500, 502, 503, 201))
    message = _message()
    for _ in range(3):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        message_deliver(message.pk)
    message.refresh_from_db()
    assert message.status == Sent.GAVE_UP and message.attempts == 3
    assert message.next_attempt_at is None
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert message_deliver(message.pk) == "skipped" and len(fake.calls) == 3
    task = Task.objects.get(case=sent.case)
    assert "could not be delivered" in task.title and task.assigned_to == officer
    sent.refresh_from_db()
    assert sent.handover_state == HandoverState.SENT  # nothing pretends it arrived


def test_a_refusal_of_the_message_itself_is_given_up_at_once(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification
) -> None:
    _install(monkeypatch, FakePeer(400))
    message = _message()
    assert message_deliver(message.pk) == "gave_up"
    message.refresh_from_db()
    assert message.last_error == "HTTP 400: Nope."
    assert Task.objects.filter(case=sent.case).count() == 1


def test_a_token_or_secret_problem_is_retried(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification
) -> None:
    _install(monkeypatch, FakePeer(401))
    assert message_deliver(_message().pk) == "failed"


def test_a_delivery_a_stopped_worker_left_sending_is_released(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification
) -> None:
    fake = _install(monkeypatch, FakePeer(201))
    message = _message()
    long_ago = timezone.now() - timedelta(minutes=11)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Sent.SENDING, attempts=1, last_attempt_at=long_ago
    )
    assert messages_deliver_due() == 1
    message.refresh_from_db()
    assert message.status == Sent.DELIVERED and message.attempts == 2
    assert len(fake.calls) == 1


def test_delivery_is_prompted_when_the_handover_commits(
    monkeypatch: pytest.MonkeyPatch,
    officer: User,
    peer: Peer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fake = _install(monkeypatch, FakePeer(201))
    with django_capture_on_commit_callbacks(execute=True):
        handover_send(
            case=CaseFactory(status=Status.ENQUIRIES),
            other_la_name="Knowsley Council",
            other_la_code=KNOWSLEY,
            by=officer,
        )
    assert len(fake.calls) == 1 and _message().status == Sent.DELIVERED


def test_a_reply_given_up_sets_the_officer_who_triaged_a_task(
    monkeypatch: pytest.MonkeyPatch, as_peer: Any, officer: User
) -> None:
    import uuid

    from cmetrack.referrals.services import submission_open_case

    from .conftest import NOTIFICATIONS, handover_message

    answer = as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    note = OtherLaNotification.objects.get(public_id=answer.json()["id"])
    case = submission_open_case(submission=note, by=officer)
    fake = _install(monkeypatch, FakePeer(422))
    reply = OutboxMessage.objects.get(kind="reply")
    assert message_deliver(reply.pk) == "gave_up"
    assert fake.calls[0]["url"].endswith("/api/v1/exchange/replies/")
    assert json.loads(fake.calls[0]["data"])["answer"] == "accepted"
    task = Task.objects.get(case=case, title__contains="could not be delivered")
    assert task.assigned_to == officer
    # Nothing about a hand-over *to* Knowsley is written on this case's timeline.
    labels = [str(e.payload.get("state_label", "")) for e in case.events.all()]
    assert not [label for label in labels if "deliver" in label]


def test_the_scheduled_job_delivers_what_is_due(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification
) -> None:
    from cmetrack.operations.jobs import job_named

    _install(monkeypatch, FakePeer(201))
    job = job_named("exchange-retry")
    assert job.every == timedelta(minutes=5)
    assert job.run() == "1 message(s) to other authorities' cmetrack attempted."
    assert _message().status == Sent.DELIVERED
    assert job.run() == "0 message(s) to other authorities' cmetrack attempted."


def test_old_finished_messages_are_cleared_of_the_childs_details(
    monkeypatch: pytest.MonkeyPatch, sent: OtherLaNotification
) -> None:
    from cmetrack.exchange.services.outbox import payloads_forget

    _install(monkeypatch, FakePeer(201))
    message = _message()
    message_deliver(message.pk)
    assert payloads_forget() == 0  # delivered just now: kept a while
    later = timezone.now() + timedelta(days=31)
    assert payloads_forget(now=later) == 1
    message.refresh_from_db()
    assert message.payload == {} and message.status == Sent.DELIVERED
    assert payloads_forget(now=later) == 0
