"""The authority's public page about children missing education, and the guidance and forms it
publishes there. Nothing here is about a child: it is what anyone may read without signing in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class InformationPage(models.Model):
    """The page's editable text: one row (the authority's), created on the first edit. Until
    then the page shows the shipped wording (`defaults.py`)."""

    what_is_cme = models.TextField("What children missing education means")
    how_to_refer = models.TextField("How to tell us about a child")
    contact = models.TextField("How to contact the team")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return "Public information page"


def document_file_name(document_id: uuid.UUID, extension: str) -> str:
    return f"publicinfo/{document_id.hex}{extension}"


class PublishedDocument(models.Model):
    """A guidance document or form the authority publishes on the page, checked on upload (type
    from its content, size) and served only as a download."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, help_text="The file's type as checked (uploads.checks).")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=200)
    download_name = models.CharField(max_length=120)
    display_order = models.PositiveSmallIntegerField(default=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["display_order", "title", "id"]

    def __str__(self) -> str:
        return self.title
