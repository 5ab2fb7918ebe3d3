"""Queueing and delivering an email through the outbox, with the immediate task backend the
tests run (the email goes at once), a mail server that refuses it, and the retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from pytest_django import Settings

from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import (
    email_deliver,
    email_queue,
    emails_retry_due,
    retry_wait,
)

from .backends import LOCMEM, REFUSING
from .helpers import ADDRESS, BODY, START, queue

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status


def test_a_queued_email_is_sent_at_once_with_the_immediate_backend_and_recorded_sent() -> None:
    with time_machine.travel(START, tick=False):
        email = queue(reference="DEL-00042")
    (message,) = mail.outbox
    assert message.to == [ADDRESS] and message.subject == "cmetrack: test" and message.body == BODY
    assert email.status == Status.SENT and email.attempts == 1
    assert email.sent_at == START and email.next_attempt_at is None and email.last_error == ""
    assert email.reference == "DEL-00042" and email.kind == "overdue-tasks"


def test_no_recipients_records_and_sends_nothing() -> None:
    assert email_queue(to=[], subject="s", body="b", kind="acknowledgement") is None
    assert email_queue(to=["", "  "], subject="s", body="b", kind="acknowledgement") is None
    assert not OutboundEmail.objects.exists() and not mail.outbox


def test_a_single_address_must_come_in_a_list_and_the_kind_must_be_a_slug() -> None:
    with pytest.raises(TypeError):
        email_queue(to=ADDRESS, subject="s", body="b", kind="acknowledgement")
    with pytest.raises(ValueError, match="slug"):
        email_queue(to=[ADDRESS], subject="s", body="b", kind="Overdue tasks")
    assert not OutboundEmail.objects.exists()


def test_a_refused_email_is_recorded_failed_for_a_later_attempt_without_its_body(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = REFUSING
    with time_machine.travel(START, tick=False):
        email = queue()  # does not raise: the request that queued it carries on
    assert email.status == Status.FAILED and email.attempts == 1
    assert email.next_attempt_at == START + timedelta(minutes=5)
    assert email.last_error.startswith("SMTPDataError: (554")
    for line in BODY.splitlines():
        assert line not in email.last_error
    # The log says which email and why, never to whom or what.
    assert str(email.public_id) in caplog.text and "SMTPDataError" in caplog.text
    assert ADDRESS not in caplog.text and "CME-1234" not in caplog.text
    assert not mail.outbox


def test_the_error_kept_is_the_class_and_the_first_300_characters_of_the_message(
    settings: Settings,
) -> None:
    settings.EMAIL_BACKEND = REFUSING
    email = queue(subject="x" * 250)
    assert len(email.last_error) == len("SMTPDataError: ") + 300


def test_a_failed_email_is_retried_after_its_wait_and_delivered(
    settings: Settings,
) -> None:
    settings.EMAIL_BACKEND = REFUSING
    with time_machine.travel(START, tick=False) as traveller:
        email = queue()
        settings.EMAIL_BACKEND = LOCMEM  # the mail server is back
        traveller.shift(timedelta(minutes=4, seconds=59))
        assert emails_retry_due() == 0 and not mail.outbox
        traveller.shift(timedelta(seconds=1))
        assert emails_retry_due() == 1
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 2 and email.last_error == ""
    assert len(mail.outbox) == 1


def test_the_wait_doubles_from_five_minutes_and_stops_at_six_hours() -> None:
    waits = [retry_wait(attempts) for attempts in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert waits[-1] == timedelta(hours=6) and max(waits) == timedelta(hours=6)


def test_it_gives_up_after_the_configured_number_of_attempts(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = REFUSING
    settings.CMETRACK_EMAIL_MAX_ATTEMPTS = 3
    with time_machine.travel(START, tick=False) as traveller:
        email = queue()
        for wait in (5, 10):
            traveller.shift(timedelta(minutes=wait))
            assert emails_retry_due() == 1
        email.refresh_from_db()
        assert email.status == Status.GAVE_UP and email.attempts == 3
        assert email.next_attempt_at is None and email.last_error
        traveller.shift(timedelta(days=1))
        assert emails_retry_due() == 0
    assert "giving up" in caplog.text and ADDRESS not in caplog.text


def test_two_deliveries_of_the_same_email_send_it_once() -> None:
    email = queue()  # delivered at once by the immediate backend
    assert email_deliver(email.pk) == "skipped"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_an_email_another_worker_is_sending_is_left_to_it() -> None:
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENDING)
    mail.outbox.clear()
    assert email_deliver(email.pk) == "skipped" and not mail.outbox


def test_a_failed_email_is_not_sent_before_its_wait_is_over(settings: Settings) -> None:
    settings.EMAIL_BACKEND = REFUSING
    email = queue()
    settings.EMAIL_BACKEND = LOCMEM
    assert email_deliver(email.pk) == "skipped" and not mail.outbox


def test_delivering_an_email_that_does_not_exist_does_nothing() -> None:
    assert email_deliver(999_999) == "skipped"
