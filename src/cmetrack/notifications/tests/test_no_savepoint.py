"""With the database task backend (production's) an email is queued with no savepoint: the
email row and its task are two INSERTs in the caller's transaction, and a failure of either
rolls back the email, its task and the work it was about together."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from cmetrack.notifications.models import OutboundEmail
from cmetrack.schools.models import School
from cmetrack.testing.factories import SchoolFactory
from cmetrack.testing.tasks import DATABASE_TASKS

from .helpers import queue


@pytest.fixture
def database_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS


def _task_insert_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The task's INSERT fails in the database, as a full disk or a lost connection would."""

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO no_such_table_for_tasks VALUES (1)")

    monkeypatch.setattr(DatabaseBackend, "_task_to_db_task", failing)


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_an_email_queued_in_a_transaction_adds_no_savepoint() -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        queue()
    statements = [q["sql"] for q in seen.captured_queries]
    assert not [s for s in statements if "SAVEPOINT" in s.upper()], statements
    assert OutboundEmail.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_a_task_that_cannot_be_written_rolls_back_the_email_and_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _task_insert_fails(monkeypatch)
    with pytest.raises(DatabaseError), transaction.atomic():
        SchoolFactory(urn="999001")  # the work the email is about
        queue()
    assert not School.objects.filter(urn="999001").exists()
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_an_email_that_cannot_be_written_rolls_back_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("the outbox table is unwritable")

    monkeypatch.setattr(OutboundEmail.objects, "create", failing)
    with pytest.raises(DatabaseError), transaction.atomic():
        SchoolFactory(urn="999002")
        queue()
    assert not School.objects.filter(urn="999002").exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_outside_a_transaction_the_email_and_its_task_are_still_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _task_insert_fails(monkeypatch)
    with pytest.raises(DatabaseError):
        queue()
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_immediate_backend_keeps_its_savepoint_so_a_failed_send_fails_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The immediate backend (tests, `make run`) sends inside the caller's transaction: a
    failure there is undone by its savepoint and the email stays queued for the retry job."""
    from cmetrack.notifications import services

    def failing(email_id: int) -> str:
        raise DatabaseError("the mail log could not be written")

    monkeypatch.setattr(services, "email_deliver", failing)
    monkeypatch.setattr("cmetrack.notifications.tasks.email_deliver", failing)
    with transaction.atomic():
        email = queue()
    assert email.status == OutboundEmail.Status.QUEUED
