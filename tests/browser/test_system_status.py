"""An administrator reads the system status page in a real browser, and axe finds no WCAG
A/AA failure on it. Also what `make screenshots` photographs for docs/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.operations.models import JobRun, WorkerHeartbeat
from cmetrack.operations.runner import job_run_now
from cmetrack.testing.factories import OrganisationFactory, UserFactory

from .conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_sees_the_jobs_the_worker_and_the_queue(
    live_server: LiveServer, page: Page
) -> None:
    team = OrganisationFactory()
    admin = UserFactory(username="sysadmin", role=User.Role.ADMIN, organisation=team)
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="Tryswlk9cGwLEtTgVK7pJYcCHKWIsojL",
        hostname="cme-app-1",
        pid=4123,
        started_at=now - timedelta(hours=5),
        last_seen=now,
    )
    job_run_now("tick")
    job_run_now("retention")
    JobRun.objects.create(
        name="housekeeping",
        trigger=JobRun.Trigger.SCHEDULE,
        slot="2026-12-01",
        outcome=JobRun.Outcome.FAILED,
        summary="Failed with OperationalError; the worker's log has the details.",
    )

    sign_in(page, live_server.url, admin.username, "/system-status/")
    expect(page.get_by_role("heading", name="System status", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="System status")).to_be_visible()
    jobs = page.get_by_role("table").first
    expect(jobs.get_by_role("rowheader", name="Daily job: tasks, overdue work and escalations"))
    expect(page.get_by_text("cme-app-1, process 4123")).to_be_visible()
    expect(page.get_by_text("Failed with OperationalError")).to_be_visible()
    screenshot(page, "system-status")
    assert axe_violations(page) == []
