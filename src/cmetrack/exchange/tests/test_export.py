"""The hand-over's export for an authority without cmetrack: JSON and the letter, the CME
team's alone."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from auditlog.models import LogEntry
from django.test import Client

from cmetrack.accounts.models import User
from cmetrack.cases.status import Status
from cmetrack.exchange.models import OutboxMessage
from cmetrack.referrals.models import OtherLaNotification
from cmetrack.referrals.services import handover_send
from cmetrack.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(officer: User) -> OtherLaNotification:
    return handover_send(
        case=CaseFactory(status=Status.ENQUIRIES),
        other_la_name="Wirral Council",
        other_la_code="344",
        concerns="Not seen since half term.",
        by=officer,
    )


def _get(user: User | None, note: OtherLaNotification) -> object:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/exchange/handovers/{note.public_id}/export/")


def test_the_team_downloads_json_and_the_letter(note: OtherLaNotification, officer: User) -> None:
    assert not OutboxMessage.objects.exists()  # no peer for 344: nothing was sent
    response = _get(officer, note)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/zip"  # type: ignore[index]
    assert f"{note.reference}-handover.zip" in response["Content-Disposition"]  # type: ignore[index]
    archive = zipfile.ZipFile(io.BytesIO(response.content))  # type: ignore[attr-defined]
    names = archive.namelist()
    assert names[0] == "handover.json"
    document = json.loads(archive.read("handover.json"))
    assert document["format"] == "cmetrack-handover/1"
    assert document["reference"] == note.reference
    assert document["to"] == {"authority": "Wirral Council", "la_code": "344"}
    assert document["from"]["la_code"] == "343"
    assert document["notification"]["surname"] == note.surname
    assert "Not seen since half term." in document["notification"]["concerns"]
    letters = [n for n in names if n.endswith(".docx")]
    assert letters == [f"{note.reference}-notification.docx"]
    assert archive.read(letters[0])[:2] == b"PK"
    # The child's details were read: recorded.
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=officer).exists()


@pytest.mark.parametrize("who", ["school_user", "agency_user", "outsider"])
def test_anyone_else_is_refused(
    note: OtherLaNotification, who: str, request: pytest.FixtureRequest
) -> None:
    assert _get(request.getfixturevalue(who), note).status_code == 403  # type: ignore[attr-defined]


def test_signed_out_is_sent_to_sign_in(note: OtherLaNotification) -> None:
    response = _get(None, note)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert "/account/sign-in/" in response["Location"]  # type: ignore[index]


def test_an_unknown_handover_is_404(officer: User) -> None:
    client = Client()
    client.force_login(officer)
    response = client.get("/exchange/handovers/00000000-0000-0000-0000-000000000000/export/")
    assert response.status_code == 404
