"""The outbox: one row per email the service sends, kept so a mail outage loses nothing.

An email is recorded in the transaction of the work that caused it, then sent by the worker
(`services.email_deliver`) and retried with a growing wait until it goes or we give up. What
the row holds is what the email says: by design a reference and a link, never a child's
details, so the outbox adds no personal data beyond staff and partners' addresses.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"  # waiting for the worker
        SENDING = "sending", "Sending"  # claimed by one worker
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # waiting for its next attempt
        GAVE_UP = "gave_up", "Gave up"  # every attempt failed: someone must look

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    to = models.JSONField(default=list)  # the addresses, as a list of strings
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # The case or submission reference the email concerns, to find it; never a child's name.
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=40)  # a slug: "acknowledgement", "mash-escalation"...
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the worker may next try: set on queueing and after each failure.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's class and the start of its message, with any of the body taken out.
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outboundemail_due"),
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference or self.public_id} ({self.status})"
