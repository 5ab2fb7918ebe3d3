"""/healthz for load balancers and the administrators' status page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings as SettingsWrapper

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.operations import health
from cmetrack.operations.models import JobRun, WorkerHeartbeat
from cmetrack.testing.factories import ChildFactory
from cmetrack.testing.tasks import DATABASE_TASKS

pytestmark = pytest.mark.django_db


def beat(ago: timedelta) -> None:
    when = timezone.now() - ago
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="host", pid=7, started_at=when, last_seen=when
    )


def ticked(ago: timedelta) -> None:
    run = JobRun.objects.create(
        name="tick", trigger=JobRun.Trigger.COMMAND, outcome=JobRun.Outcome.SUCCEEDED
    )
    JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - ago)


def healthz() -> dict[str, object]:
    response = Client().get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return {"code": response.status_code, **response.json()}


def test_healthz_answers_without_sign_in_and_is_ok_when_all_is_well(
    settings: SettingsWrapper,
) -> None:
    settings.TASKS = DATABASE_TASKS
    beat(timedelta(seconds=10))
    ticked(timedelta(hours=3))
    body = healthz()
    assert body["code"] == 200 and body["status"] == "ok"
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert set(checks) == {"database", "migrations", "worker", "tick"}


def test_a_silent_worker_or_a_late_tick_is_degraded_but_still_serves(
    settings: SettingsWrapper,
) -> None:
    settings.TASKS = DATABASE_TASKS
    beat(timedelta(minutes=5))
    ticked(timedelta(hours=30))
    body = healthz()
    assert body["code"] == 200 and body["status"] == "degraded"
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert checks["worker"]["status"] == "degraded" and checks["tick"]["status"] == "degraded"


def test_no_worker_is_expected_with_the_immediate_backend() -> None:
    ticked(timedelta(hours=1))
    assert healthz()["status"] == "ok"


def test_an_unreachable_database_fails_with_503(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable() -> health.Check:
        try:
            raise OperationalError("connection refused")
        except OperationalError as error:
            return health.Check("database", health.FAILING, type(error).__name__)

    monkeypatch.setattr(health, "check_database", unreachable)
    body = healthz()
    assert body["code"] == 503 and body["status"] == "failing"


def test_pending_migrations_fail_with_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("pending", False)]
    )
    body = healthz()
    assert body["code"] == 503
    checks = body["checks"]
    assert isinstance(checks, dict) and checks["migrations"]["detail"] == "1 migrations not applied"


def test_healthz_says_nothing_about_children() -> None:
    ChildFactory(forenames="Zebedee", surname="Quartermaine")
    text = Client().get("/healthz").content.decode()
    assert "Zebedee" not in text and "Quartermaine" not in text


def test_healthz_refuses_writes() -> None:
    assert Client().post("/healthz").status_code == 405


def test_the_status_page_shows_jobs_workers_queue_and_email_to_an_administrator(
    admin_user: User,
) -> None:
    beat(timedelta(seconds=5))
    ticked(timedelta(hours=2))
    page = client_for(admin_user).get(reverse("operations:status"))
    assert page.status_code == 200
    text = page.content.decode()
    for heading in ("Scheduled jobs", "Workers", "Background queue", "Outgoing email"):
        assert heading in text
    assert "Daily job: tasks, overdue work and escalations" in text and "host, process 7" in text


@pytest.mark.parametrize("persona", ["officer", "manager", "school_user", "agency_user"])
def test_the_status_page_is_refused_to_everyone_but_administrators(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("operations:status")).status_code == 403


def test_the_status_page_asks_a_stranger_to_sign_in() -> None:
    response = Client().get(reverse("operations:status"))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
