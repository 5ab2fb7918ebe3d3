"""Letter templates, their versions, and the letters produced from them.

A template is the stable thing officers choose ("Letter to parent or carer about absence");
each upload is a new version, kept for ever, so a letter always says which wording it was made
from. A template's DOCX is kept in the database with its version (a few tens of kilobytes, no
child in it, backed up with everything else); a produced letter's files live in Django's default
storage under `letters/produced/`, named by opaque ids: a stored file's name never carries a
child's name.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class TemplateKind(models.TextChoices):
    CASE_LETTER = "case", "Letter about a case"
    BLANK_FORM = "blank", "Blank form (authority details only)"


class LetterTemplate(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=150)
    purpose = models.TextField(help_text="What the letter is for and when to send it.")
    kind = models.CharField(max_length=10, choices=TemplateKind.choices)
    # Shipped with cmetrack: loaded as version 1 at migrate (reference_data.py).
    shipped = models.BooleanField(default=False)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["kind", "display_order", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_blank_form(self) -> bool:
        return self.kind == TemplateKind.BLANK_FORM


class TemplateVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    placeholders = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="letter_version_number"),
            models.UniqueConstraint(
                fields=["template"], condition=Q(is_current=True), name="one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} (version {self.number})"

    @property
    def download_name(self) -> str:
        return f"{self.template.slug}-template-v{self.number}.docx"


def letter_file_name(letter_id: uuid.UUID, extension: str) -> str:
    return f"letters/produced/{letter_id.hex}.{extension}"


class Letter(models.Model):
    """One letter produced for a case: who, when, from which version, and its files.

    Retention removes the files and keeps this row (who produced what and when)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="letters")
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="letters"
    )
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    produced_at = models.DateTimeField()
    docx_file = models.CharField(max_length=200, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)
    pdf_file = models.CharField(max_length=200, blank=True)
    # The download name without extension: the case reference and the template's slug
    # (CME-7K3P-Q9XW-parent-absence), never the child's name.
    download_stem = models.CharField(max_length=120)
    files_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-produced_at", "-id"]
        indexes = [models.Index(fields=["case", "-produced_at"], name="letter_case_newest_idx")]

    def __str__(self) -> str:
        return self.download_stem

    @property
    def template(self) -> LetterTemplate:
        return self.template_version.template
