"""School rolls as data: each load of a roll file is dated and kept, so a check can be run
"as of" any date (the rolls each school had most recently sent by then).

- `RollLoad` is one file as it arrived (census-style CSV, full CTF, or a MIS export), with the
  date the roll speaks for (`as_of`) and who loaded it. A load is withdrawn, never deleted, when
  it was loaded by mistake: a withdrawn load is left out of every "as of" roll.
- `SchoolRoll` is one school's roll within a load: an LA-wide census extract names many.
- `RollEntry` is one pupil on that roll, as the school recorded them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

FORMAT_LABELS = {
    "census": "School census-style file",
    "ctf": "Common Transfer File (CTF)",
    "mis": "Export from a school's MIS",
}


def _upload_to(instance: RollLoad, filename: str) -> str:
    # Opaque: a roll file's name may carry a school's or a child's name.
    return f"roll-loads/{instance.public_id.hex}"


class RollLoad(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_upload_to)
    original_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=10)  # rolls.reading.RollFormat
    as_of = models.DateField(db_index=True, help_text="The date the roll speaks for.")
    description = models.CharField(max_length=200, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)
    pupil_count = models.PositiveIntegerField(default=0)
    school_count = models.PositiveIntegerField(default=0)
    # What the reader flagged and skipped: {"errors": [[row, field, message]...],
    # "warnings": [...], "unknown_schools": [...]}; shown on the load's page.
    summary = models.JSONField(default=dict, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-as_of", "-loaded_at"]

    def __str__(self) -> str:
        return f"Roll load of {self.as_of:%d %B %Y} ({self.original_name})"

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)


class SchoolRoll(models.Model):
    load = models.ForeignKey(RollLoad, on_delete=models.CASCADE, related_name="school_rolls")
    # None when the file names a school the register does not hold: kept under its number.
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The identity "as of" rolls are grouped by: the URN when known, else "laestab:NNNNNNN".
    school_key = models.CharField(max_length=20, db_index=True)
    school_name = models.CharField(max_length=200, blank=True)
    pupil_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["load", "school_key"], name="rolls_one_roll_per_school")
        ]

    def __str__(self) -> str:
        return self.school_name or self.school_key


class RollEntry(models.Model):
    school_roll = models.ForeignKey(SchoolRoll, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()  # the row (or CTF pupil) in the file
    upn = models.CharField(max_length=13, blank=True, db_index=True)
    former_upn = models.CharField(max_length=13, blank=True, db_index=True)
    surname = models.CharField(max_length=100, blank=True, db_index=True)
    forename = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=100, blank=True)
    preferred_surname = models.CharField(max_length=100, blank=True)
    preferred_forename = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    sex = models.CharField(max_length=1, blank=True)
    year_group = models.CharField(max_length=3, blank=True)
    entry_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    enrolment_status = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["school_roll", "position"]
        verbose_name_plural = "roll entries"

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}".strip() or self.upn
