"""Authority-to-authority exchange: the peers (other authorities' cmetrack), the outbox of
messages to them with every delivery attempt, and the messages received from them (each once).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Peer(models.Model):
    """Another authority's cmetrack, by its LA code. Its API token for us and the signing
    secret we share are encrypted at rest (crypto.py); `account` is this installation's user
    (another-LA user of that authority) whose tokens the peer calls us with, so its calls must
    be signed and its replies are recorded in its name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    la_code = models.CharField("LA code", max_length=3, unique=True)
    name = models.CharField(max_length=200)
    base_url = models.URLField(help_text="Its cmetrack's address, https://…")
    token_encrypted = models.TextField(editable=False)
    signing_secret_encrypted = models.TextField(editable=False)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exchange_peer"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["la_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code})"


class MessageKind(models.TextChoices):
    HANDOVER = "handover", "Hand-over of a CME case"
    REPLY = "reply", "Reply to a hand-over"
    WITHDRAWAL = "withdrawal", "Withdrawal of a hand-over"


class Answer(models.TextChoices):
    """What the receiving authority answers a hand-over."""

    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    MORE_INFORMATION = "more_information", "More information asked for"


class OutboxMessage(models.Model):
    """One message to a peer, written in the transaction of the work it reports and delivered
    by the worker. `public_id` travels with it: the peer records a retried delivery once."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        FAILED = "failed", "Failed, will retry"
        DELIVERED = "delivered", "Delivered"
        GAVE_UP = "gave_up", "Gave up: the team was alerted"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="outbox")
    kind = models.CharField(max_length=12, choices=MessageKind.choices)
    # The outbound hand-over it sends, or the inbound notification it answers.
    notification = models.ForeignKey(
        "referrals.OtherLaNotification", on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=400, blank=True)
    # What the peer answered: its reference for what it recorded.
    remote_reference = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.peer.la_code} ({self.get_status_display()})"


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    delivered = models.BooleanField()
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=400, blank=True)
    milliseconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"Attempt {self.number}: {'delivered' if self.delivered else 'failed'}"


class InboundMessage(models.Model):
    """A message a peer delivered, recorded once by its id: a retry gets the first answer."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="inbound")
    message_id = models.UUIDField()
    kind = models.CharField(max_length=12, choices=MessageKind.choices)
    # The sender's reference for its hand-over (OLA-…), which our replies quote.
    remote_reference = models.CharField(max_length=20)
    notification = models.ForeignKey(
        "referrals.OtherLaNotification", on_delete=models.PROTECT, related_name="+"
    )
    answer = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "message_id"], name="exchange_inbound_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.peer.la_code} ({self.remote_reference})"
