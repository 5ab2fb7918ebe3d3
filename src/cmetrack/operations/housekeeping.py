"""Keep the service's own records from growing without end (none of them is about a child)."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cmetrack.notifications.models import OutboundEmail

from .models import JobRun, WorkerHeartbeat

JOB_RUNS_KEPT = timedelta(days=90)
HEARTBEATS_KEPT = timedelta(days=7)
TASK_RESULTS_KEPT = timedelta(days=30)
# Sent emails name a reference and an address only; kept a while to answer "was it sent?".
SENT_EMAILS_KEPT = timedelta(days=90)
SIGN_IN_RECORDS_KEPT = timedelta(days=365)


def housekeeping_run() -> str:
    now = timezone.now()
    runs, _ = JobRun.objects.filter(queued_at__lt=now - JOB_RUNS_KEPT).delete()
    beats, _ = WorkerHeartbeat.objects.filter(last_seen__lt=now - HEARTBEATS_KEPT).delete()
    results, _ = (
        DBTaskResult.objects.finished().filter(finished_at__lt=now - TASK_RESULTS_KEPT).delete()
    )
    # Sign-in records (who signed in or failed, from where): a year, for investigations.
    signins, _ = AccessLog.objects.filter(attempt_time__lt=now - SIGN_IN_RECORDS_KEPT).delete()
    failures, _ = AccessFailureLog.objects.filter(
        attempt_time__lt=now - SIGN_IN_RECORDS_KEPT
    ).delete()
    emails, _ = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENT, sent_at__lt=now - SENT_EMAILS_KEPT
    ).delete()
    return (
        f"Removed {runs} job runs older than {JOB_RUNS_KEPT.days} days, {beats} old worker "
        f"heartbeats, {results} finished task results older than {TASK_RESULTS_KEPT.days} days"
        f", {emails} emails sent over {SENT_EMAILS_KEPT.days} days ago and {signins + failures} "
        f"sign-in records over a year old."
    )
