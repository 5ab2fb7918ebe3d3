"""Intake: everything by which a child reaches the CME team (DOMAIN.md §2).

`Submission` is the common record every route shares (reference, who sent it, when, triage,
the case it touched, the status shared with the sender); each route adds its own content in a
concrete child table (multi-table inheritance), so the incoming queue is one query.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from cmetrack.core.grounds import Ground, Route, ground_choices, ground_or_not_stated
from cmetrack.core.references import random_reference

from .checks.limits import MAX_LENGTH


class Kind(models.TextChoices):
    DELETION = "deletion", "Deletion return"
    NEW_PUPIL = "new_pupil", "New-pupil return"
    REFERRAL = "referral", "CME referral"
    OTHER_LA = "other_la", "Other-LA notification"
    PUBLIC = "public", "Public concern"


REFERENCE_PREFIX = {
    Kind.DELETION: "DEL",
    Kind.NEW_PUPIL: "NEW",
    Kind.REFERRAL: "REF",
    Kind.OTHER_LA: "OLA",
    Kind.PUBLIC: "PUB",
}


def new_reference(kind: str) -> str:
    """A random reference such as DEL-7K3P-Q9XW: quotable, and reveals nothing about volume."""
    return random_reference(REFERENCE_PREFIX[Kind(kind)])


class TriageState(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    LINKED = "linked", "Linked to a case"
    NO_ACTION = "no_action", "No action"


class SharedStatus(models.TextChoices):
    """What the sender sees. Chosen by the LA; never reveals more than the sender already knew."""

    RECEIVED = "received", "Received"
    AWAITING_LA_CONFIRMATION = "awaiting_la", "Awaiting LA confirmation of joint enquiries"
    UNDER_ENQUIRY = "under_enquiry", "Received: the CME team is making enquiries"
    PASSED_TO_EHE = "passed_to_ehe", "Passed to the elective home education team"
    RECORDED = "recorded", "Recorded: no further action needed"
    AWAITING_DESTINATION = (
        "awaiting_destination",
        "Recorded: waiting for the new school or authority to confirm the pupil",
    )
    REMOVAL_AGREED = "removal_agreed", "Joint enquiries complete: removal from roll agreed"
    CLOSED_ON_ROLL_HERE = "closed_on_roll_here", "Closed: on roll at a school"
    CLOSED_ON_ROLL_ELSEWHERE = "closed_on_roll_elsewhere", "Closed: on roll elsewhere"
    CLOSED_NO_ACTION = "closed_no_action", "Closed: no CME action needed"


class Submission(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text="Blank for a member of the public.",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text="The organisation that sent it: its users see it and its shared status.",
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The school the return is about (the sender's school) or the child's last school.
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The child as the sender described them; the LA matches this to a child record at triage.
    forenames = models.CharField(
        "legal forename(s)", max_length=MAX_LENGTH["forenames"], blank=True
    )
    surname = models.CharField("legal surname", max_length=MAX_LENGTH["surname"], blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, default="U")
    upn = models.CharField("UPN", max_length=MAX_LENGTH["upn"], blank=True)
    # What the sender typed when it failed the DfE's UPN rules: shown, never matched on.
    upn_unverified = models.CharField("unverified UPN", max_length=20, blank=True)
    address_line_1 = models.CharField(max_length=MAX_LENGTH["address_line_1"], blank=True)
    town = models.CharField(max_length=MAX_LENGTH["town"], blank=True)
    postcode = models.CharField(max_length=MAX_LENGTH["postcode"], blank=True)
    # For the acknowledgement email, which carries the reference only.
    contact_email = models.EmailField(blank=True)
    # Escalated on arrival (DOMAIN.md §5: a child protection plan, looked after, a safety concern,
    # high risk): why, when, and when the MASH address was told. Such items lead the queue.
    urgent_reasons = models.JSONField(default=list, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    mash_notified_at = models.DateTimeField(null=True, blank=True)
    # The incoming queue's order: 0 escalated, then 1 high, 2 medium, 3 low risk; oldest first.
    queue_priority = models.PositiveSmallIntegerField(default=2, db_index=True)
    # What the intake check flagged when this arrived (late, incomplete, odd), as
    # [field, message] pairs: recorded and shown to the CME team, never a reason to refuse.
    intake_warnings = models.JSONField(default=list, blank=True)

    route = models.CharField(max_length=20, blank=True, help_text="Recommended routing.")
    triage_state = models.CharField(
        max_length=12, choices=TriageState.choices, default=TriageState.NEW, db_index=True
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_note = models.TextField(blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    shared_status = models.CharField(
        max_length=30, choices=SharedStatus.choices, default=SharedStatus.RECEIVED
    )
    shared_status_at = models.DateTimeField(default=timezone.now)
    import_batch = models.ForeignKey(
        "referrals.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
    )

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["triage_state", "received_at"]),
            models.Index(fields=["triage_state", "queue_priority", "received_at"]),
            # A school's (or agency's) own submissions, newest first, a page at a time.
            models.Index(fields=["organisation", "-received_at"], name="submission_org_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.reference:
            self.reference = new_reference(self.kind)
        super().save(*args, **kwargs)

    @property
    def child_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()

    @property
    def detail(self) -> "Submission":
        """The concrete record (deletion return, referral …) behind this submission."""
        if type(self) is not Submission:
            return self
        attr = {
            Kind.DELETION: "deletionreturn",
            Kind.NEW_PUPIL: "newpupilreturn",
            Kind.REFERRAL: "cmereferral",
            Kind.OTHER_LA: "otherlanotification",
            Kind.PUBLIC: "publicconcern",
        }[Kind(self.kind)]
        found: Submission = getattr(self, attr, self)
        return found

    @property
    def route_label(self) -> str:
        return Route(self.route).label if self.route else ""


class DeletionReturn(Submission):
    """Regulation 13 content of a removal from the admission register."""

    parent_names = models.CharField(
        "parent(s) the pupil lives with", max_length=MAX_LENGTH["parent_names"], blank=True
    )
    parent_address = models.TextField(
        "their address", blank=True, help_text="Blank if the same as the pupil's."
    )
    emergency_phone = models.CharField(max_length=MAX_LENGTH["emergency_phone"], blank=True)
    new_address = models.TextField(blank=True)
    new_address_from = models.DateField(null=True, blank=True)
    new_school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_school_name = models.CharField(
        max_length=MAX_LENGTH["new_school_name"],
        blank=True,
        help_text="When the new school is not in the register.",
    )
    new_school_start = models.DateField(null=True, blank=True)
    # Blank: the notice stated no ground (see core.grounds.NOT_STATED).
    ground = models.CharField(max_length=1, choices=ground_choices, blank=True)
    deletion_date = models.DateField()
    # Sent after the removal (regulation 13(4) says no later than it): by how many school days.
    late_school_days = models.PositiveIntegerField(null=True, blank=True)
    lost_pupil = models.BooleanField(
        default=False, help_text="Destination unknown: a lost-pupil CTF went to S2S."
    )
    # Grounds (h) and (i): the LA confirms joint enquiries are exhausted before a case opens.
    la_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    la_confirmed_at = models.DateTimeField(null=True, blank=True)
    la_confirmation_note = models.TextField(blank=True)
    # A second parent the pupil normally lives with (regulation 13(4)(d): a number for each).
    parent_2_name = models.CharField(
        "second parent the pupil lives with", max_length=MAX_LENGTH["parent_2_name"], blank=True
    )
    parent_2_phone = models.CharField(max_length=MAX_LENGTH["parent_2_phone"], blank=True)
    # Grounds (h), (i): day 0 of the waiting period (the last day of the authorised leave; the
    # last day attended), the earliest lawful removal it gives, and the LA's agreement.
    absence_from = models.DateField(null=True, blank=True)
    earliest_removal = models.DateField(null=True, blank=True)
    removal_agreed_on = models.DateField(null=True, blank=True)
    removal_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_agreed_at = models.DateTimeField(null=True, blank=True)
    removed_before_agreement = models.BooleanField(default=False)
    # Grounds (a), (g), (n) naming a destination: recorded, awaiting confirmation until
    # `destination_due`; cleared by a matching new-pupil return or the receiving authority,
    # or, once lapsed, a CME case is opened (`destination_lapsed_at`).
    destination_due = models.DateField(null=True, blank=True)
    destination_confirmed_at = models.DateTimeField(null=True, blank=True)
    destination_confirmation = models.TextField(blank=True)
    destination_lapsed_at = models.DateTimeField(null=True, blank=True)

    @property
    def ground_info(self) -> Ground:
        return ground_or_not_stated(self.ground)

    @property
    def awaiting_la_confirmation(self) -> bool:
        return self.ground_info.needs_la_confirmation and self.la_confirmed_at is None

    @property
    def has_new_school(self) -> bool:
        return bool(self.new_school_id or self.new_school_name.strip())


class NewPupilReturn(Submission):
    """Admission-register particulars of a pupil who has started at the school."""

    parent_names = models.CharField(
        "parent(s) or carer(s)", max_length=MAX_LENGTH["parent_names"], blank=True
    )
    parent_phone = models.CharField(max_length=MAX_LENGTH["parent_phone"], blank=True)
    start_date = models.DateField()
    previous_school = models.CharField(max_length=MAX_LENGTH["previous_school"], blank=True)


class CmeReferral(Submission):
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    # A cases.ReferralSource value: school, social care, health, police …
    referral_source = models.CharField(max_length=20, default="school")
    parent_names = models.CharField(max_length=300, blank=True)
    parent_phone = models.CharField(max_length=40, blank=True)
    date_last_attended = models.DateField(null=True, blank=True)
    primary_reason = models.ForeignKey(
        "cases.MissingReason", on_delete=models.PROTECT, related_name="+"
    )
    secondary_reasons = models.ManyToManyField("cases.MissingReason", blank=True, related_name="+")
    flags = models.ManyToManyField("children.VulnerabilityFlagType", blank=True, related_name="+")
    dsl_risk_view = models.TextField("the designated safeguarding lead's view of risk", blank=True)
    risk_level = models.CharField(max_length=10, default="medium")
    social_care_referred = models.BooleanField(default=False)
    social_care_outcome = models.TextField(blank=True)
    # A pupil still on a school's roll is at risk of missing education, not (yet) CME.
    still_on_roll = models.BooleanField(default=False)


class ReferralAction(models.Model):
    """An action taken before the referral (calls, letters, checks) with its date and outcome."""

    referral = models.ForeignKey(CmeReferral, on_delete=models.CASCADE, related_name="actions")
    done_on = models.DateField()
    action = models.CharField(max_length=300)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["done_on", "id"]

    def __str__(self) -> str:
        return self.action


class HomeVisit(models.Model):
    referral = models.ForeignKey(CmeReferral, on_delete=models.CASCADE, related_name="home_visits")
    visited_on = models.DateField()
    visited_at = models.TimeField(null=True, blank=True)
    address = models.CharField(max_length=300)
    who_was_seen = models.CharField(max_length=300, blank=True, help_text="Blank: nobody.")

    class Meta:
        ordering = ["visited_on", "visited_at", "id"]

    def __str__(self) -> str:
        return f"Home visit {self.visited_on:%d/%m/%Y}"


class Direction(models.TextChoices):
    INBOUND = "in", "From another authority"
    OUTBOUND = "out", "To another authority"


class Nature(models.TextChoices):
    MOVED_IN = "moved_in", "Child moved (or may have moved) into this area"
    ENQUIRY = "enquiry", "Enquiry about a missing pupil"
    HANDOVER = "handover", "Hand-over of a CME case"


class HandoverState(models.TextChoices):
    SENT = "sent", "Sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OtherLaNotification(Submission):
    direction = models.CharField(max_length=3, choices=Direction.choices)
    nature = models.CharField(max_length=12, choices=Nature.choices)
    other_la_name = models.CharField("other authority", max_length=200)
    other_la_code = models.CharField(max_length=3, blank=True)
    officer_name = models.CharField(max_length=200, blank=True)
    officer_phone = models.CharField(max_length=40, blank=True)
    officer_email = models.EmailField(blank=True)
    previous_address = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    # Outbound hand-overs only.
    handover_state = models.CharField(max_length=12, choices=HandoverState.choices, blank=True)
    handover_reason = models.TextField(blank=True)


class HandoverChange(models.Model):
    """One move of an outbound hand-over, kept beside the audit log for the case page."""

    notification = models.ForeignKey(
        OtherLaNotification, on_delete=models.CASCADE, related_name="handover_changes"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"


class PublicConcern(Submission):
    about_child = models.TextField("what you know about the child")
    where = models.TextField("where the child is, or might be")
    why_worried = models.TextField("why you are worried")
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)


def _import_upload_to(instance: "ImportBatch", filename: str) -> str:
    # The stored name is opaque: a file name can carry a school's or a child's name.
    return f"imports/{instance.public_id.hex}"


class ImportBatch(models.Model):
    """One uploaded return file: the file, who uploaded it, and what came of it (kept for audit)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_import_upload_to)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(default=dict, blank=True)
    committed = models.BooleanField(default=False)
    committed_at = models.DateTimeField(null=True, blank=True)
    # Where the file is (imports.ImportState: queued, checking, checked, unreadable, committing,
    # committed, failed) and, while a background task works on it, how far it has got.
    state = models.CharField(max_length=16, default="checked", blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The parsed rows the check passed, stored once so previews and the commit never re-parse
    # (imports.stored_rows); loaded only by the commit.
    preview = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.public_id.hex[:8]} ({self.original_name})"


class ImportKnownChild(models.Model):
    """A row of a batch's preview that is likely a child already held (the CME team's previews
    only): kept with the child's id, not only as the text the page shows, so each showing of the
    preview writes a view entry in that child's audit trail."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="known_children")
    row = models.PositiveIntegerField()  # the file's row number, as the preview lists it
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["batch", "row"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row"], name="one_known_child_per_import_row")
        ]

    def __str__(self) -> str:
        return f"Row {self.row} of {self.batch}"
