"""Scheduled jobs run once per window, whoever asks, and record what happened."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from pytest_django import Settings as SettingsWrapper

from cmetrack.notifications.models import OutboundEmail
from cmetrack.operations import jobs
from cmetrack.operations.housekeeping import housekeeping_run
from cmetrack.operations.models import JobRun, WorkerHeartbeat
from cmetrack.operations.runner import job_execute, job_run_now, schedule_claim_due

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def test_each_job_is_claimed_once_in_its_window() -> None:
    first = schedule_claim_due(MORNING)
    assert sorted(run.name for run in first) == [
        "email-retry",
        "exchange-retry",
        "housekeeping",
        "retention",
        "tick",
    ]
    assert schedule_claim_due(MORNING + timedelta(minutes=1)) == []
    # Five minutes on, only the frequent jobs have a new window.
    assert sorted(run.name for run in schedule_claim_due(MORNING + timedelta(minutes=5))) == [
        "email-retry",
        "exchange-retry",
    ]


def test_a_claimed_run_is_queued_and_with_the_immediate_backend_runs_at_once() -> None:
    schedule_claim_due(MORNING)
    tick = JobRun.objects.get(name="tick")
    assert tick.trigger == JobRun.Trigger.SCHEDULE and tick.slot == "2026-12-02"
    assert tick.outcome == JobRun.Outcome.SUCCEEDED
    assert "open cases checked" in tick.summary


def test_a_run_executed_twice_does_its_work_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def tick() -> str:
        calls.append("tick")
        return "done"

    monkeypatch.setattr(jobs, "_tick", tick)
    run = JobRun.objects.create(name="tick", trigger=JobRun.Trigger.SCHEDULE, slot="2026-12-02")
    job_execute(run.pk)
    job_execute(run.pk)
    assert calls == ["tick"]


def test_a_failing_job_records_the_failure_without_the_exceptions_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> str:
        raise ValueError("Key (upn)=(A123456789012) already exists")

    monkeypatch.setattr(jobs, "_tick", broken)
    run = job_run_now("tick")
    assert run.outcome == JobRun.Outcome.FAILED
    assert "ValueError" in run.summary and "A123456789012" not in run.summary


def test_the_tick_command_records_its_run_and_fails_loudly_for_cron(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call_command("tick")
    assert JobRun.objects.get().trigger == JobRun.Trigger.COMMAND

    from cmetrack.operations.management.commands import tick

    monkeypatch.setattr(tick, "tick_run", lambda: 1 / 0)
    with pytest.raises(CommandError, match="ZeroDivisionError"):
        call_command("tick")


def test_the_retention_command_with_a_limit_is_recorded_as_a_retention_run() -> None:
    call_command("retention", "--limit", "5")
    run = JobRun.objects.get()
    assert run.name == "retention" and run.summary == "0 children anonymised."


def test_an_unknown_job_name_writes_nothing() -> None:
    with pytest.raises(KeyError):
        job_run_now("no-such-job")
    assert not JobRun.objects.exists()


def test_a_bad_time_of_day_setting_names_the_setting(settings: SettingsWrapper) -> None:
    settings.CMETRACK_TICK_AT = "quarter past six"
    with pytest.raises(ValueError, match="CMETRACK_TICK_AT"):
        jobs.scheduled_jobs()


def test_housekeeping_removes_old_runs_and_heartbeats_only() -> None:
    now = timezone.now()
    old = JobRun.objects.create(name="tick", trigger=JobRun.Trigger.COMMAND)
    JobRun.objects.filter(pk=old.pk).update(queued_at=now - timedelta(days=91))
    recent = JobRun.objects.create(name="tick", trigger=JobRun.Trigger.COMMAND)
    week_ago = now - timedelta(days=8)
    WorkerHeartbeat.objects.create(
        worker_id="gone", hostname="h", pid=1, started_at=week_ago, last_seen=week_ago
    )
    sent_long_ago = OutboundEmail.objects.create(
        to=["a@example.invalid"], subject="s", body="b", kind="acknowledgement",
        status=OutboundEmail.Status.SENT, sent_at=now - timedelta(days=91),
    )  # fmt: skip
    failed = OutboundEmail.objects.create(
        to=["a@example.invalid"], subject="s", body="b", kind="acknowledgement",
        status=OutboundEmail.Status.GAVE_UP,
    )  # fmt: skip
    summary = housekeeping_run()
    assert not OutboundEmail.objects.filter(pk=sent_long_ago.pk).exists()
    assert OutboundEmail.objects.filter(pk=failed.pk).exists()  # someone must look at it
    assert list(JobRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not WorkerHeartbeat.objects.exists()
    assert "Removed 1 job runs" in summary


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_claim_each_window_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: PostgreSQL (SQLite here is one in-memory file)")
    barrier = threading.Barrier(4)
    claimed: list[str] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            claimed.extend(run.name for run in schedule_claim_due(MORNING))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == ["email-retry", "exchange-retry", "housekeeping", "retention", "tick"]
    assert JobRun.objects.count() == 5
