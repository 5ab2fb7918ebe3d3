"""The elective home education register (DOMAIN.md §9): one record per episode of a child's
home education, with its reviews.

The first piece of the Children Not in School register. The child, family and address stay on
`children.Child`; this holds what the register adds: since when, why, who educates the child
and for about how long a week, the reviews of the education's suitability, and how the episode
ended. `register` says which part of the wider register a record belongs to, so the other
kinds of child not in school can join it without another table.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from cmetrack.core.references import random_reference


def new_ehe_reference() -> str:
    """A random reference such as EHE-7K3P-Q9XW: quotable, and reveals nothing about volume."""
    return random_reference("EHE")


class EheReason(models.Model):
    """Why the parents chose home education. Reference data, effective-dated: the DfE's list
    for the termly EHE collection changes between collections (docs/home-education.md)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=150)
    dfe_code = models.CharField(
        "DfE collection code",
        max_length=20,
        blank=True,
        help_text="The code this reason is counted under in the termly EHE return, when known.",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "label"]
        verbose_name = "EHE reason"

    def __str__(self) -> str:
        return self.label


class Register(models.TextChoices):
    # The Children Not in School register (2026 Act s436B, not yet in force) adds more kinds.
    ELECTIVE_HOME_EDUCATION = "ehe", "Elective home education"


class Source(models.TextChoices):
    DELETION_RETURN = "deletion_return", "School's deletion return, ground (f)"
    PARENT_NOTICE = "parent_notice", "Parent's written notice"
    CME_CASE = "cme_case", "A CME case closed as passed to the EHE team"
    OTHER = "other", "Other"


class Provider(models.TextChoices):
    """Who educates the child (the Children Not in School register asks this)."""

    PARENTS = "parents", "The parents"
    TUTOR = "tutor", "A tutor or tutors engaged by the parents"
    ONLINE = "online", "An online school or provider"
    MIXED = "mixed", "A mix of parents and other providers"
    OTHER = "other", "Someone else"
    NOT_KNOWN = "not_known", "Not known yet"


class EndReason(models.TextChoices):
    RETURNED_TO_SCHOOL = "returned_to_school", "Returned to school"
    MOVED_AWAY = "moved_away", "Moved out of the authority's area"
    JUDGED_UNSUITABLE = "judged_unsuitable", "Home education judged unsuitable"
    REACHED_END_OF_SCHOOL_AGE = "end_of_school_age", "Reached the end of compulsory school age"
    OTHER = "other", "Other"


class EheRecord(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True, default=new_ehe_reference)
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="ehe_records"
    )
    register = models.CharField(
        max_length=20, choices=Register.choices, default=Register.ELECTIVE_HOME_EDUCATION
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    # The submission (deletion return) or letter it came from, as quoted to the sender.
    source_reference = models.CharField(max_length=40, blank=True)
    start_date = models.DateField(db_index=True)
    reason = models.ForeignKey(
        EheReason, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.NOT_KNOWN)
    provider_details = models.TextField(
        blank=True, help_text="Tutors, online schools or settings the child attends."
    )
    hours_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The parents' estimate of the time the child is educated."
    )
    next_review_due = models.DateField(null=True, blank=True, db_index=True)
    # The review date the EHE team was last told was overdue (services.ehe_reviews_report_overdue):
    # each due date is reported once; a review moves the date on, and its lateness is new news.
    overdue_reported_for = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    # Set when home education was judged unsuitable: the CME case the child moved into.
    cme_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A child with a child protection plan withdrawn to home education: a manager must look.
    alert_raised_at = models.DateTimeField(null=True, blank=True)
    alert_reason = models.CharField(max_length=200, blank=True)
    alert_acknowledged_at = models.DateTimeField(null=True, blank=True)
    alert_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alert_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-created_at"]
        verbose_name = "EHE record"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "register"],
                condition=Q(end_date__isnull=True),
                name="one_open_ehe_record_per_child",
                violation_error_message="This child is already on the register.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_reason="")
                | Q(end_date__isnull=False, end_reason__gt=""),
                name="ehe_ended_iff_reason",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="ehe_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    @property
    def alert_open(self) -> bool:
        return self.alert_raised_at is not None and self.alert_acknowledged_at is None


class EheReview(models.Model):
    """One look at whether the education is suitable: how, what was found, when the next is."""

    class Method(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        MEETING = "meeting", "Meeting elsewhere"
        WRITTEN = "written", "Written report or samples of work"
        PHONE = "phone", "Phone or video call"

    class Outcome(models.TextChoices):
        SUITABLE = "suitable", "Education appears suitable"
        MORE_INFORMATION = "more_information", "More information asked for"
        CONCERNS = "concerns", "Concerns: a further review is needed"
        NO_RESPONSE = "no_response", "No response from the family"
        UNSUITABLE = "unsuitable", "Education judged unsuitable"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(EheRecord, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.reviewed_on:%d/%m/%Y})"
