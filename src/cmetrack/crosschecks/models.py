"""Cross-checks of the authority's own data: each run is kept with what it was asked, how far
it got and what it found, so it can be re-run and compared; a dismissal is remembered by the
child's identity (UPN, else name and date of birth), so the next run shows it as dismissed."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils import timezone


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class CandidateState(StrEnum):
    OPEN = "open"  # to look at
    DISMISSED = "dismissed"  # an officer dismissed it in this run
    DISMISSED_BEFORE = "dismissed_before"  # dismissed in an earlier run: shown apart, with why
    REFERRED = "referred"  # turned into a referral


def _list_upload_to(instance: CrossCheckRun, filename: str) -> str:
    return f"cross-check-lists/{instance.public_id.hex}"


class CrossCheckRun(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, db_index=True)  # kinds.CheckKind
    # What it was asked: {"check_on": iso, "leavers_on": iso, "year_groups": [...], ...}.
    parameters = models.JSONField(default=dict, blank=True)
    # The uploaded cohort or service list (checks 2 and 3), kept for audit and re-runs.
    list_file = models.FileField(upload_to=_list_upload_to, blank=True)
    list_name = models.CharField(max_length=255, blank=True)
    list_source = models.CharField(max_length=100, blank=True)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, default=RunState.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_step = models.CharField(max_length=200, blank=True)
    # The counts and coverage the results page shows: {"subjects": n, "found": {...}, ...}.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Not audited field by field (large): the subjects read from the list, for the run itself.
    subjects = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} run of {self.created_at:%d %B %Y %H:%M}"

    def _date(self, name: str) -> date | None:
        value = self.parameters.get(name) or ""
        return date.fromisoformat(value) if value else None

    @property
    def check_on(self) -> date | None:
        return self._date("check_on")

    @property
    def leavers_on(self) -> date | None:
        return self._date("leavers_on")

    @property
    def by_date(self) -> date | None:
        return self._date("by_date")


class CrossCheckCandidate(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(CrossCheckRun, on_delete=models.CASCADE, related_name="candidates")
    identity = models.CharField(max_length=200, db_index=True)
    forenames = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    last_school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the run found them ("Year 6 at Oak Primary, roll of 15 July 2026") and why they are
    # a candidate: {"where": str, "why": [str], "nearest": {...} | None}.
    explanation = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=20, default=CandidateState.OPEN, db_index=True)
    dismissed_reason = models.TextField(blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    referral = models.ForeignKey(
        "referrals.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["surname", "forenames", "pk"]

    def __str__(self) -> str:
        return f"{self.forenames} {self.surname}".strip() or self.upn or self.identity

    @property
    def name(self) -> str:
        return str(self)


class CrossCheckDismissal(models.Model):
    """The memory of a dismissal: the same child found by the same kind of check again is shown
    as dismissed before, with this reason, until someone reopens it."""

    kind = models.CharField(max_length=20)
    identity = models.CharField(max_length=200)
    reason = models.TextField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)
    candidate = models.ForeignKey(
        CrossCheckCandidate, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "identity"], name="crosschecks_one_dismissal")
        ]

    def __str__(self) -> str:
        return f"{self.kind} dismissal of {self.identity}"
