"""`cmetrack worker`: runs queued tasks and the schedule, and says it is alive."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings as SettingsWrapper

from cmetrack.operations.heartbeat import PulseThread
from cmetrack.operations.models import JobRun, WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def worker(*extra: str) -> None:
    call_command(
        "worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0",
        "--worker-id", "test-worker", *extra, stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_worker_claims_the_due_jobs_runs_them_and_beats(
    settings: SettingsWrapper, signals_restored: None
) -> None:
    settings.TASKS = DATABASE_TASKS
    worker()
    runs = {run.name: run for run in JobRun.objects.all()}
    assert set(runs) == {"tick", "retention", "housekeeping", "email-retry", "exchange-retry"}
    assert all(run.outcome == JobRun.Outcome.SUCCEEDED for run in runs.values())
    assert DBTaskResult.objects.successful().count() == 5
    assert WorkerHeartbeat.objects.get().worker_id == "test-worker"

    worker()  # the same windows: nothing runs twice
    assert JobRun.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_worker_without_the_schedule_only_runs_tasks(
    settings: SettingsWrapper, signals_restored: None
) -> None:
    settings.TASKS = DATABASE_TASKS
    worker("--no-schedule")
    assert not JobRun.objects.exists()
    assert WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_pulse_thread_beats_and_stops() -> None:
    pulse = PulseThread("pulse-test", schedule=False, interval=0.01)
    pulse.start()
    pulse.stopping.wait(0.2)
    pulse.stop()
    pulse.join(timeout=5)
    assert not pulse.is_alive()
    assert WorkerHeartbeat.objects.filter(worker_id="pulse-test").exists()
