"""A migration of an existing CME register: the kept file and what came of it, step by step,
and a record of every row it committed, so an undo knows exactly what to take back.

The file lives in Django's default storage (as `referrals.models.ImportBatch` keeps its file)
under an opaque name made from the batch's public id: a register's file name can name an
authority's children or its old system, never a path anyone could guess.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils import timezone


class MigrationState(StrEnum):
    """`RegisterMigration.state` (a plain column: a new state needs no migration)."""

    QUEUED = "queued"  # a large file waiting for the worker to check it
    READ = "read"  # the header is read and a column mapping guessed: the officer confirms it
    MAPPED = "mapped"  # the columns are confirmed: the officer maps the codes
    CHECKING = "checking"  # the rows are being read and checked against the register
    CHECKED = "checked"  # the preview is stored; it may be committed
    COMMITTING = "committing"  # the worker is writing it
    COMMITTED = "committed"
    UNDONE = "undone"  # a committed batch taken back as a whole
    UNREADABLE = "unreadable"  # the file as a whole cannot be read: nothing more happens
    FAILED = "failed"  # the check or commit stopped on an unexpected error


# States in which a task is (or will be) working on the batch: its page refreshes itself.
WORKING = frozenset({MigrationState.QUEUED, MigrationState.CHECKING, MigrationState.COMMITTING})


def _upload_to(instance: RegisterMigration, filename: str) -> str:
    # Opaque: the uploaded file's name may carry a child's name.
    return f"register-imports/{instance.public_id.hex}"


class RegisterMigration(models.Model):
    """One uploaded register file and each step of its migration into cmetrack."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_upload_to)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, default=MigrationState.READ)
    # The file's header and a few sample values per column, read at upload, so the mapping page
    # never reads the file again: {"header": [...], "samples": [[...], ...], "rows": n, "source"}.
    sheet = models.JSONField(default=dict, blank=True)
    # RegisterField value -> column index, guessed at upload and confirmed by the officer.
    column_mapping = models.JSONField(default=dict, blank=True)
    columns_confirmed = models.BooleanField(default=False)
    # RegisterField value -> {file value (reading.code_key) -> cmetrack code, "" for no value},
    # suggested after the column step and confirmed by the officer; with the defaults for blanks.
    code_mapping = models.JSONField(default=dict, blank=True)
    code_defaults = models.JSONField(default=dict, blank=True)
    codes_confirmed = models.BooleanField(default=False)
    # The check's result: errors, warnings, likely duplicates, already known, counts, the first
    # rows shown; and, once committed, what was written.
    summary = models.JSONField(default=dict, blank=True)
    # The rows the check passed (stored once, so the commit never reads the file again); emptied
    # by the commit, whose cases then hold them. Not copied into the audit log.
    stored_rows = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Register migration {self.public_id.hex[:8]} ({self.original_name})"

    @property
    def is_working(self) -> bool:
        return self.state in WORKING


class MigratedRow(models.Model):
    """One row a batch committed: the case it opened and the child it used, whether the batch
    created that child, and their versions and timeline length just after, so an undo can tell
    whether anyone has changed them since. Cleared of its case and child by the undo (the row
    stays as the record of what was taken back)."""

    batch = models.ForeignKey(RegisterMigration, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField()  # the file's row number
    legacy_reference = models.CharField(max_length=100, blank=True, db_index=True)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    child_created = models.BooleanField(default=False)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_version = models.PositiveIntegerField(default=1)
    child_version = models.PositiveIntegerField(default=1)
    case_events = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["batch", "row"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "row"], name="one_migrated_row_per_file_row")
        ]

    def __str__(self) -> str:
        return f"Row {self.row} of {self.batch}"


class MigrationKnownChild(models.Model):
    """A row of a batch's preview shown as a child already held, kept with the child's id (not
    only as the page's text) so each showing of the preview writes a view entry in that child's
    audit trail, as `referrals.models.ImportKnownChild` does for returns."""

    batch = models.ForeignKey(
        RegisterMigration, on_delete=models.CASCADE, related_name="known_children"
    )
    row = models.PositiveIntegerField()
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["batch", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row"], name="one_known_child_per_migration_row"
            )
        ]

    def __str__(self) -> str:
        return f"Row {self.row} of {self.batch}"
