"""The production path: the database task backend writes the delivery task in the same
transaction as the email (a transactional outbox), and `db_worker` sends it."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import emails_retry_due
from cmetrack.testing.tasks import DATABASE_TASKS

from .helpers import ADDRESS, queue

Status = OutboundEmail.Status


@pytest.fixture
def database_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS


def _worker() -> None:
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


class _Abandoned(Exception):
    pass


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_a_transaction_rolled_back_leaves_neither_the_email_nor_its_task() -> None:
    with pytest.raises(_Abandoned), transaction.atomic():
        queue()
        assert OutboundEmail.objects.count() == 1 and DBTaskResult.objects.count() == 1
        raise _Abandoned  # the work the email was about failed
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "signals_restored")
def test_a_committed_email_waits_for_the_worker_which_sends_it_once() -> None:
    with transaction.atomic():
        email = queue()
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert email.status == Status.QUEUED and not mail.outbox

    _worker()

    email.refresh_from_db()
    assert email.status == Status.SENT and [m.to for m in mail.outbox] == [[ADDRESS]]
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "signals_restored")
def test_a_retry_queued_twice_by_overlapping_runs_is_sent_once() -> None:
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, attempts=1)
    assert emails_retry_due() == 1
    assert emails_retry_due() == 0  # the row was taken by the first run
    # And were two tasks queued for it all the same, the claim lets only one send.
    from cmetrack.notifications.tasks import email_deliver_task

    email_deliver_task.enqueue(email.pk)

    _worker()

    assert len(mail.outbox) == 1 and DBTaskResult.objects.count() == 3
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 2
