"""API tokens: how a school's MIS, a partner's system or another authority's cmetrack signs in.

A token acts as one user account of one organisation (a school's data manager, an agency's
referrer), with that account's role and so exactly its permissions: the API can do nothing the
same person could not do through the web. Only a hash of the token is kept (it is shown once,
when made); each has scopes, an expiry, and can be revoked at once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    SUBMIT = "submit", "Send returns, referrals and notifications"
    READ = "read", "Read what it may see (its own submissions; the CME team: cases and tasks)"


class ApiToken(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, help_text="What uses it: 'Litherland High SIMS'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    # The first characters, to recognise a token in a list without being able to use it.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TokenRateCount(models.Model):
    """A token's calls in the current and the previous window of its rate (throttling.py): one
    row a token, counted in one statement, so every gunicorn process sees the same count."""

    token = models.OneToOneField(
        ApiToken, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # The window's number: Unix seconds // the rate's period.
    window = models.BigIntegerField()
    count = models.PositiveIntegerField()
    previous_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token_id}: {self.count} in window {self.window}"
