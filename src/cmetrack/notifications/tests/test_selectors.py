"""What the administrators' status page reads from the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.selectors import email_status_counts, emails_needing_attention

from .helpers import recorded

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status


def test_the_counts_name_every_status_zeros_included() -> None:
    assert email_status_counts() == {
        "queued": 0,
        "sending": 0,
        "sent": 0,
        "failed": 0,
        "gave_up": 0,
    }
    recorded(status=Status.SENT)
    recorded(status=Status.SENT)
    recorded(status=Status.GAVE_UP)
    counts = email_status_counts()
    assert counts["sent"] == 2 and counts["gave_up"] == 1 and counts["queued"] == 0
    assert set(counts) == set(Status.values)


def test_the_emails_needing_attention_are_the_failed_and_given_up_newest_first() -> None:
    now = timezone.now()
    old_failure = recorded(status=Status.FAILED, created_at=now - timedelta(days=2))
    gave_up = recorded(status=Status.GAVE_UP, created_at=now - timedelta(days=1))
    new_failure = recorded(status=Status.FAILED, created_at=now)
    recorded(status=Status.SENT, created_at=now)
    recorded(status=Status.QUEUED, created_at=now)
    assert emails_needing_attention() == [new_failure, gave_up, old_failure]
    assert emails_needing_attention(limit=2) == [new_failure, gave_up]
