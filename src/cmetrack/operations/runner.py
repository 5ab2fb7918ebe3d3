"""Running a job and recording it; claiming the windows that are due and queuing their runs.

Writes go through here: the worker's scheduler, the job task and the cron commands share it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .jobs import job_named, scheduled_jobs
from .models import JobRun
from .schedule import current_slot

logger = logging.getLogger(__name__)


def job_run_now(name: str, work: Callable[[], str] | None = None) -> JobRun:
    """Run a job at once in this process (a command), recording it like a scheduled run.
    `work` replaces the job's usual function for one run (retention's --limit, say)."""
    job_named(name)  # an unknown name fails before anything is written
    run = JobRun.objects.create(name=name, trigger=JobRun.Trigger.COMMAND)
    return job_execute(run.pk, work=work)


def job_execute(run_id: int, work: Callable[[], str] | None = None) -> JobRun:
    """Run a queued job run once. A second call for the same run (a retried task, two
    workers) finds it claimed and does nothing."""
    claimed = JobRun.objects.filter(pk=run_id, outcome=JobRun.Outcome.QUEUED).update(
        outcome=JobRun.Outcome.RUNNING, started_at=timezone.now()
    )
    run = JobRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        summary = (work or job_named(run.name).run)()
    except Exception as error:
        # The summary is shown to administrators: the exception's class only, because a
        # database error's message can quote a row's values. The log has the traceback.
        logger.exception("Job %s (run %s) failed", run.name, run.pk)
        run.outcome = JobRun.Outcome.FAILED
        run.summary = f"Failed with {type(error).__name__}; the worker's log has the details."
    else:
        run.outcome = JobRun.Outcome.SUCCEEDED
        run.summary = summary
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "summary", "finished_at"])
    logger.info("Job %s (run %s) %s", run.name, run.pk, run.outcome)
    return run


def schedule_claim_due(now: datetime | None = None) -> list[JobRun]:
    """Claim each job's current window if no one has, and queue its run for the worker.

    The unique (name, slot) constraint is the claim: of two schedulers at once, one inserts
    and the other gets an IntegrityError and moves on. The run and its task are written in one
    transaction, so a window is never claimed without its run being queued.
    """
    from .tasks import job_run_task

    now = now or timezone.now()
    claimed: list[JobRun] = []
    for job in scheduled_jobs():
        slot = current_slot(job, now)
        if JobRun.objects.filter(name=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = JobRun.objects.create(
                    name=job.name, slot=slot, trigger=JobRun.Trigger.SCHEDULE
                )
                job_run_task.enqueue(run.pk)
        except IntegrityError:
            continue
        claimed.append(run)
    return claimed
