"""The CME episode of one child: from referral to re-engagement (DOMAIN.md §5)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from cmetrack.core.references import random_reference

from .status import OPEN_STATUSES, Status


def new_case_reference() -> str:
    """A random reference such as CME-7K3P-Q9XW: quotable, and reveals nothing about volume."""
    return random_reference("CME")


class MissingReason(models.Model):
    """Why the child is missing education. Reference data, effective-dated, since the DfE
    revises its reason list (five reasons added autumn 2025)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=150)
    dfe_code = models.CharField(
        "DfE collection code",
        max_length=20,
        blank=True,
        help_text="The code this reason is counted under in the termly CME return.",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "label"]

    def __str__(self) -> str:
        return self.label


class Category(models.TextChoices):
    # Only true CME counts in the statutory return; at-risk cases are tracked beside them.
    CME = "cme", "Child missing education"
    AT_RISK = "at_risk", "At risk of missing education"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ReferralSource(models.TextChoices):
    SCHOOL = "school", "School"
    SOCIAL_CARE = "social_care", "Children's social care"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    ADMISSIONS = "admissions", "Admissions"
    EHE_TEAM = "ehe_team", "Elective home education team"
    OTHER_LA = "other_la", "Another local authority"
    PUBLIC = "public", "Member of the public"
    PARENT = "parent", "Parent or carer"
    DATA_CHECK = "data_check", "Data cross-check"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    """Closure reasons (DOMAIN.md §5)."""

    ON_ROLL_THIS_LA = "on_roll_here", "On roll at a school in this authority"
    ON_ROLL_OTHER_LA = "on_roll_elsewhere", "On roll in another authority (confirmed)"
    HANDED_TO_OTHER_LA = "handed_to_la", "Handed to another authority's CME officer"
    MOVED_ABROAD = "moved_abroad", "Moved abroad (confirmed)"
    HOME_EDUCATION = "home_education", "Suitable home education (passed to EHE team)"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision or section 19 provision"
    SAO_COMPLIED = "sao_complied", "School attendance order complied with"
    OVER_AGE = "over_age", "Over compulsory school age"
    DIED = "died", "Died"
    DUPLICATE = "duplicate", "Duplicate of another case"
    NOT_CME = "not_cme", "Referral not CME"


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True, default=new_case_reference)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="cases")
    category = models.CharField(max_length=10, choices=Category.choices, default=Category.CME)
    # Indexed with the key (Meta.indexes, case_status_id_idx), not on its own.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REFERRED)
    risk_level = models.CharField(
        max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    primary_reason = models.ForeignKey(
        MissingReason, on_delete=models.PROTECT, related_name="primary_cases"
    )
    secondary_reasons = models.ManyToManyField(
        MissingReason, blank=True, related_name="secondary_cases"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    referral_date = models.DateField(db_index=True)
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referrer = models.CharField(
        max_length=200, blank=True, help_text="Who referred: name, role and organisation."
    )
    last_school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_last_attended = models.DateField(null=True, blank=True)
    # The date the case entered its current status: placement and untraced reviews run from it.
    status_changed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moved on by every change made through the services (services.common.case_version_bump);
    # a form carries the version it was opened at, so a stale form is refused, not applied over
    # a change its officer never saw (docs/concurrent-edits.md).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-referral_date", "-opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
            models.UniqueConstraint(
                fields=["child"],
                condition=~Q(status=Status.CLOSED),
                name="one_open_case_per_child",
                violation_error_message="This child already has an open case.",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.CLOSED, outcome__gt="", closed_on__isnull=False)
                | (~Q(status=Status.CLOSED) & Q(outcome="", closed_on__isnull=True)),
                name="closed_iff_outcome",
            ),
        ]
        # Checked with EXPLAIN ANALYZE on 50,000 cases (benchmarks/load/explain_queries.py) and
        # kept honest by tests/test_query_plans.py.
        indexes = [
            # The list's default order (and the dashboard's newest referrals): a page is read
            # straight off the index instead of sorting every case.
            models.Index(fields=["-referral_date", "-opened_at"], name="case_list_order_idx"),
            # An officer's open cases, oldest referral first (dashboard; list filtered by
            # officer): only open cases are in it.
            models.Index(
                fields=["assigned_to", "referral_date"],
                condition=~Q(status=Status.CLOSED),
                name="case_open_by_officer_idx",
            ),
            # The cases in given statuses, and their keys without reading the table: the task
            # counts join open tasks to open cases by key. Replaces the index status had on its
            # own (and its LIKE twin, which nothing used): every status lookup can use this one.
            models.Index(fields=["status", "id"], name="case_status_id_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One line of the case timeline: actor, time, kind (see events.EventKind) and payload."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    # The case's version once this event's change was made: a stale form's conflict page lists
    # the events after the version it was opened at. Empty on events from before versions.
    case_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Task(models.Model):
    """A piece of work with a due date: made by the deadline rules (rule_key set, one per case
    and trigger, so the daily job never makes it twice) or by an officer (rule_key blank)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    # A core.deadlines.DeadlineKind value, or "manual"; validated in code, not by choices.
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    # Indexed for open tasks only (Meta.indexes): every query by due date asks for open tasks,
    # and an index of all of them misleads the planner, which cannot tell that the open ones
    # are mostly not yet due, into walking the done ones.
    due_on = models.DateField()
    rule_key = models.CharField(max_length=80, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the rule that made the task no longer applies (the case moved on).
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set once when an overdue task is reported to the managers: the report is never repeated.
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule_key"], condition=~Q(rule_key=""), name="one_task_per_rule"
            )
        ]
        # Checked with EXPLAIN ANALYZE on 50,000 cases (benchmarks/load/explain_queries.py) and
        # kept honest by tests/test_query_plans.py.
        indexes = [
            # Open tasks in the list's order (the team's overdue / today / this week, the daily
            # overdue report): done and cancelled tasks, most of the table once a register is in
            # use, are not in it. Replaces (done_at, cancelled_at, due_on), which held every task
            # and could not give the list's order.
            models.Index(
                fields=["due_on", "id"],
                condition=Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="task_open_due_idx",
            ),
            # The same for one officer's own tasks (dashboard "my tasks", the tasks page).
            models.Index(
                fields=["assigned_to", "due_on", "id"],
                condition=Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="task_open_officer_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_on:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None


class Escalation(models.Model):
    """A safeguarding concern sent to children's social care / MASH at once (DOMAIN.md §5).

    Raised by a flag that escalates (child protection plan, looked after, safety concern …).
    It stays at the top of every LA dashboard until acknowledged and then resolved with a
    recorded action; a case cannot close while one is unresolved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    trigger_code = models.CharField(max_length=40)
    trigger_label = models.CharField(max_length=120)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_taken = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "trigger_code"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_escalation_per_trigger",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(action_taken=""),
                name="resolved_escalation_has_action",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation: {self.trigger_label}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class EnquiryCheckType(models.Model):
    """One reasonable enquiry on the checklist (DOMAIN.md §5). Reference data."""

    class Side(models.TextChoices):
        SCHOOL = "school", "School"
        LA = "la", "Local authority"

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=150)
    side = models.CharField(max_length=10, choices=Side.choices)
    display_order = models.PositiveSmallIntegerField(default=100)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["side", "display_order", "label"]

    def __str__(self) -> str:
        return self.label


class EnquiryCheck(models.Model):
    """A reasonable enquiry made on a case: who, when, how and what came of it.

    A check marked not applicable (result "not applicable", the reason in `note`) records who
    decided and when, and has no method: no enquiry was made."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        VISIT = "visit", "Visit"
        SYSTEM = "system", "Records or system search"
        MEETING = "meeting", "Meeting"
        OTHER = "other", "Other"

    class Result(models.TextChoices):
        FOUND = "found", "Information found"
        NOTHING = "nothing", "Nothing found"
        NO_REPLY = "no_reply", "No reply yet"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enquiries")
    check_type = models.ForeignKey(EnquiryCheckType, on_delete=models.PROTECT)
    done_on = models.DateField()
    done_by_name = models.CharField(
        "made by", max_length=200, help_text="Who made the enquiry (name and organisation)."
    )
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    result = models.CharField(max_length=20, choices=Result.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["check_type__side", "check_type__display_order", "-done_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="") | Q(result="not_applicable", note__gt=""),
                name="enquiry_method_unless_not_applicable_with_reason",
                violation_error_message="Say how the enquiry was made.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_type} on {self.done_on:%d/%m/%Y}"


class ClosureRequest(models.Model):
    """An officer's request to close a case that needs a manager's approval: a child with a
    vulnerability flag, or an untraced child."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a manager"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Sent back"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    closed_on = models.DateField()
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="one_pending_closure_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"Closure request for {self.case}"
