"""Reads of the outbox, for the administrators' status page.

Not scoped by user like the case selectors: the outbox is the service's own record, and only
the status page (administrators only; the view checks) reads it.
"""

from __future__ import annotations

from django.db.models import Count

from .models import OutboundEmail

Status = OutboundEmail.Status


def email_status_counts() -> dict[str, int]:
    """How many emails are in each status, every status named (zeros included)."""
    counts = dict.fromkeys(Status.values, 0)
    rows = OutboundEmail.objects.order_by().values("status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def emails_needing_attention(limit: int = 20) -> list[OutboundEmail]:
    """Failed (still being retried) and given-up emails, newest first."""
    failing = OutboundEmail.objects.filter(status__in=[Status.FAILED, Status.GAVE_UP])
    return list(failing.order_by("-created_at", "-pk")[:limit])
