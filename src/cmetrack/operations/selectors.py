"""Reads for the administrators' status page. Nothing here is about a child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .jobs import Job, scheduled_jobs
from .models import JobRun, WorkerHeartbeat


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last_run: JobRun | None
    last_success: JobRun | None


def job_statuses() -> list[JobStatus]:
    statuses = []
    for job in scheduled_jobs():
        runs = JobRun.objects.filter(name=job.name)
        statuses.append(
            JobStatus(
                job=job,
                last_run=runs.order_by("-queued_at").first(),
                last_success=runs.filter(outcome=JobRun.Outcome.SUCCEEDED)
                .order_by("-finished_at")
                .first(),
            )
        )
    return statuses


def recent_failed_runs(limit: int = 10) -> list[JobRun]:
    return list(JobRun.objects.filter(outcome=JobRun.Outcome.FAILED).order_by("-queued_at")[:limit])


def workers_seen(within: timedelta = timedelta(days=1)) -> list[WorkerHeartbeat]:
    since = timezone.now() - within
    return list(WorkerHeartbeat.objects.filter(last_seen__gte=since).order_by("-last_seen"))


def task_queue_counts() -> dict[str, int]:
    """Background tasks by state: waiting and running now, failed in the last week."""
    week_ago = timezone.now() - timedelta(days=7)
    counts = dict(
        DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "waiting": counts.get(TaskResultStatus.READY, 0),
        "running": counts.get(TaskResultStatus.RUNNING, 0),
        "failed_this_week": DBTaskResult.objects.failed().filter(finished_at__gte=week_ago).count(),
    }
