"""Builders shared by the outbox's tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import email_queue

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
ADDRESS = "cme-manager@example.gov.uk"
BODY = "Reference: CME-1234\nSign in to see it: http://127.0.0.1:8000/cases/\n"


def queue(**overrides: Any) -> OutboundEmail:
    fields: dict[str, Any] = {
        "to": [ADDRESS],
        "subject": "cmetrack: test",
        "body": BODY,
        "kind": "overdue-tasks",
        "reference": "CME-1234",
    }
    email = email_queue(**{**fields, **overrides})
    assert email is not None
    email.refresh_from_db()
    return email


def recorded(**fields: Any) -> OutboundEmail:
    """A row as a worker left it, written directly (no task queued)."""
    defaults: dict[str, Any] = {
        "to": [ADDRESS],
        "subject": "cmetrack: test",
        "body": BODY,
        "kind": "overdue-tasks",
        "reference": "CME-1234",
    }
    return OutboundEmail.objects.create(**{**defaults, **fields})
