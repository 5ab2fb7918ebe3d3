"""Two workers at once, on real concurrent connections (PostgreSQL): the claim lets one send."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from pytest_django import Settings

from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import email_deliver
from cmetrack.testing.tasks import DATABASE_TASKS

from .helpers import queue


@pytest.mark.django_db(transaction=True)
def test_four_workers_delivering_the_same_email_at_once_send_it_once(settings: Settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: PostgreSQL (SQLite here is one in-memory file)")
    settings.TASKS = DATABASE_TASKS  # queued, not sent: the workers below send it
    email = queue()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            barrier.wait()
            outcomes.append(email_deliver(email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().attempts == 1
