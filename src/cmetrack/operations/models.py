"""What the service did on its own: each run of a scheduled job, and each worker's heartbeat.

Neither holds a child's details: a job's summary is counts and advice, written by the job.
"""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    class Outcome(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "by the worker's schedule"
        COMMAND = "command", "by a command (cron or by hand)"

    name = models.CharField(max_length=40)
    # The schedule's window this run belongs to (a date for a daily job, a window's start for a
    # frequent one). Unique with the name, so of two schedulers only one claims a window.
    # Empty for a run started by a command, which may run any number of times.
    slot = models.CharField(max_length=32, blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["name", "slot"],
                condition=~models.Q(slot=""),
                name="jobrun_one_per_name_and_slot",
            )
        ]
        indexes = [models.Index(fields=["name", "-queued_at"], name="jobrun_name_latest")]
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.slot or self.queued_at.isoformat()} {self.outcome}"


class WorkerHeartbeat(models.Model):
    """Written by each `cmetrack worker` every few seconds; /healthz reads the newest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname}"
