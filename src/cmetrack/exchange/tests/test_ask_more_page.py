"""The triage page's "ask for more information" on a notification a peer delivered: the
question goes back to that authority's cmetrack and the notification stays in the queue."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.exchange.models import MessageKind, OutboxMessage
from cmetrack.referrals.models import OtherLaNotification, TriageState

from .conftest import NOTIFICATIONS, PeerClient, handover_message

pytestmark = pytest.mark.django_db


def _received(as_peer: PeerClient) -> OtherLaNotification:
    answer = as_peer.post(NOTIFICATIONS, handover_message(str(uuid.uuid4())))
    assert answer.status_code == 201, answer.json()
    return OtherLaNotification.objects.get(public_id=answer.json()["id"])


def test_the_team_asks_the_sending_authority_from_the_triage_page(
    as_peer: PeerClient, officer: User
) -> None:
    note = _received(as_peer)
    client = client_for(officer)
    page = client.get(reverse("referrals:triage", args=[note.public_id]))
    assert b"for more information" in page.content

    answer = client.post(
        reverse("referrals:ask-more", args=[note.public_id]),
        {"question": "Which school did she last attend?"},
    )

    assert answer.status_code == 302
    note.refresh_from_db()
    assert note.triage_state == TriageState.NEW
    [reply] = OutboxMessage.objects.filter(kind=MessageKind.REPLY)
    assert reply.payload["answer"] == "more_information"
    assert reply.payload["reason"] == "Which school did she last attend?"


def test_an_empty_question_is_refused_on_the_page_and_nothing_is_sent(
    as_peer: PeerClient, officer: User
) -> None:
    note = _received(as_peer)

    page = client_for(officer).post(
        reverse("referrals:ask-more", args=[note.public_id]), {"question": " "}
    )

    assert page.status_code == 400
    assert b"Enter what you need to know" in page.content
    assert not OutboxMessage.objects.filter(kind=MessageKind.REPLY).exists()
