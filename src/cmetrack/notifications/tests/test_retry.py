"""The retry job (`emails_retry_due`, run by the scheduler every few minutes): emails whose
task was lost, and emails a stopped worker left half-sent, are delivered; nothing twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from pytest_django import Settings

from cmetrack.notifications import tasks
from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import emails_retry_due

from .helpers import START, queue, recorded

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status


class _BrokenTask:
    """Stands in for the delivery task when the task backend cannot be reached."""

    def enqueue(self, *args: Any) -> None:
        raise ConnectionError("task backend unavailable")


class _RecordingTask:
    """Stands in for the delivery task while its task waits behind other work."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def enqueue(self, email_id: int) -> None:
        self.queued.append(email_id)


def test_an_email_whose_task_could_not_be_queued_stays_queued_and_the_retry_sends_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        monkeypatch.setattr(tasks, "email_deliver_task", _BrokenTask())
        email = queue()
        assert email.status == Status.QUEUED and not mail.outbox
        monkeypatch.undo()
        traveller.shift(timedelta(minutes=9))
        assert emails_retry_due() == 0  # its task may still be on its way
        traveller.shift(timedelta(minutes=1))
        assert emails_retry_due() == 1
    email.refresh_from_db()
    assert email.status == Status.SENT and len(mail.outbox) == 1


def test_a_queued_email_is_queued_again_at_most_every_ten_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While its task waits behind other work, the retry job does not pile up more tasks."""
    with time_machine.travel(START, tick=False) as traveller:
        email = recorded(status=Status.QUEUED, next_attempt_at=START)
        task = _RecordingTask()
        monkeypatch.setattr(tasks, "email_deliver_task", task)
        traveller.shift(timedelta(minutes=10))
        assert emails_retry_due() == 1
        traveller.shift(timedelta(minutes=5))
        assert emails_retry_due() == 0  # a second run at once, or the next one, finds it taken
        traveller.shift(timedelta(minutes=5))
        assert emails_retry_due() == 1
    assert task.queued == [email.pk, email.pk]


def test_an_email_left_sending_by_a_stopped_worker_is_retried_after_half_an_hour() -> None:
    with time_machine.travel(START, tick=False) as traveller:
        email = recorded(status=Status.SENDING, attempts=1, last_attempt_at=START)
        traveller.shift(timedelta(minutes=29))
        assert emails_retry_due() == 0
        email.refresh_from_db()
        assert email.status == Status.SENDING
        traveller.shift(timedelta(minutes=2))
        assert emails_retry_due() == 1
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 2 and len(mail.outbox) == 1


def test_an_email_left_sending_on_its_last_attempt_is_given_up(
    settings: Settings,
) -> None:
    settings.CMETRACK_EMAIL_MAX_ATTEMPTS = 2
    with time_machine.travel(START, tick=False) as traveller:
        email = recorded(status=Status.SENDING, attempts=2, last_attempt_at=START)
        traveller.shift(timedelta(hours=1))
        assert emails_retry_due() == 0
    email.refresh_from_db()
    assert email.status == Status.GAVE_UP and "Stopped while sending" in email.last_error
    assert not mail.outbox


def test_sent_and_given_up_emails_are_left_alone() -> None:
    with time_machine.travel(START, tick=False) as traveller:
        recorded(status=Status.SENT, attempts=1, last_attempt_at=START, sent_at=START)
        recorded(status=Status.GAVE_UP, attempts=8, last_attempt_at=START)
        traveller.shift(timedelta(days=2))
        assert emails_retry_due() == 0
    assert not mail.outbox


def test_a_retry_of_an_email_that_went_meanwhile_sends_nothing_more() -> None:
    email = queue()
    # As if a retry had been queued before the first delivery finished.
    tasks.email_deliver_task.enqueue(email.pk)
    assert len(mail.outbox) == 1
