"""Evidence attached to a case: a scanned letter, a home-visit note, an email, a photograph.

The row is the record of who attached what and when, and stays when the evidence is removed or
the child's record is anonymised; only the file goes. The file lives in Django's default storage
(MEDIA_ROOT, from CMETRACK_FILES_DIR: outside the web root, never served by URL) under an opaque
name made from the row's public id, never the child's name or the uploader's file name.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cmetrack.uploads.checks import KINDS


class EvidenceType(models.TextChoices):
    """What the evidence is: the label is all the case timeline says about it (a file name
    may name a child; the label never does)."""

    SCANNED_LETTER = "scanned_letter", "Scanned letter"
    HOME_VISIT_NOTE = "home_visit_note", "Home-visit note"
    EMAIL = "email", "Email"
    PHOTOGRAPH = "photograph", "Photograph"
    OTHER = "other", "Other document"


# The kinds of file cmetrack knows (uploads.checks): a code with choices is kept by retention's
# text scrub, and the download is served as the kind the bytes were checked as.
FILE_KINDS = [(kind.code, kind.label) for kind in KINDS.values()]


def attachment_file_name(public_id: uuid.UUID) -> str:
    return f"attachments/{public_id.hex}"


class Attachment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="attachments")
    evidence_type = models.CharField(max_length=20, choices=EvidenceType.choices)
    description = models.CharField(max_length=200, blank=True)
    file_kind = models.CharField(max_length=10, choices=FILE_KINDS)
    size = models.PositiveIntegerField()
    # blank: retention empties it with the names (the file it identified is gone by then).
    sha256 = models.CharField(max_length=64, blank=True)
    # The name in storage (attachment_file_name). Named as privacy.subject_access.SKIP_FIELDS
    # expects, so the export leaves out this internal path.
    stored_file = models.CharField(max_length=200, unique=True)
    # The uploader's name for it, made safe (uploads.checks.safe_filename) and given the
    # extension of what it really is; shown to the team and used for the download only.
    original_name = models.CharField(max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Removed (by an officer, or by retention): the file is deleted, the row kept.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="attachment_case_newest_idx")]

    def __str__(self) -> str:
        return f"{self.get_evidence_type_display()} ({self.public_id})"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def download_name(self) -> str:
        """The name the download is saved as: the uploader's (already safe), or after
        retention emptied it, the evidence type's."""
        return self.original_name or f"{self.evidence_type}{KINDS[self.file_kind].extension}"
