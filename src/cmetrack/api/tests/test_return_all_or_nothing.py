"""A return sent through the API is recorded whole or not at all: with production's database
task backend the acknowledgement email and its task are written in the return's transaction
with no savepoint, so a failure writing either leaves no return, no audit entry, no email."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.notifications.models import OutboundEmail
from cmetrack.referrals.models import DeletionReturn
from cmetrack.testing.tasks import DATABASE_TASKS

from .conftest import ApiClient
from .test_sending import DELETIONS, deletion


@pytest.fixture
def database_tasks(settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS


@pytest.mark.django_db(transaction=True)  # so the return's transaction is the outermost
@pytest.mark.usefixtures("database_tasks")
def test_a_return_with_its_acknowledgement_uses_no_savepoint(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(school_user)
    with CaptureQueriesContext(connection) as seen:
        assert api.post(DELETIONS, deletion()).status_code == 201
    statements = [q["sql"].upper() for q in seen.captured_queries]
    assert not [s for s in statements if "SAVEPOINT" in s]
    assert OutboundEmail.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_a_return_whose_acknowledgement_cannot_be_queued_records_nothing(
    school_user: User, api_for: Callable[..., ApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO no_such_table_for_tasks VALUES (1)")

    monkeypatch.setattr(DatabaseBackend, "_task_to_db_task", failing)
    api = api_for(school_user)
    api.client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    from auditlog.models import LogEntry

    entries = LogEntry.objects.count()
    assert api.post(DELETIONS, deletion()).status_code == 500
    assert not DeletionReturn.objects.exists()
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()
    # The call's own audit entry is written after the transaction, at most: no return's.
    assert not LogEntry.objects.filter(content_type__model="deletionreturn").exists()
    assert LogEntry.objects.count() <= entries + 1
