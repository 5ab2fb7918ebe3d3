"""The incoming queue and a partner's own submissions as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.referrals.models import Submission, TriageState
from cmetrack.referrals.services import deletion_return_submit, new_pupil_return_submit
from cmetrack.testing.factories import UserFactory

from .helpers import CHILD, deletion_data, new_pupil_data

INCOMING_CSV = reverse("referrals:incoming-export", args=["csv"])
MINE_CSV = reverse("referrals:mine-export", args=["csv"])


def _school(user: User) -> Any:
    assert user.organisation is not None
    return user.organisation.school


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def download(user: User, view: str) -> LogEntry:
    return LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(User),
        object_id=user.pk,
        additional_data__view=view,
    )


def submission_accesses() -> list[int]:
    return sorted(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Submission),
            action=LogEntry.Action.ACCESS,
        ).values_list("object_id", flat=True)
    )


# --- a partner's own submissions -------------------------------------------------------------


def test_a_school_exports_only_its_own_submissions(
    school_user: User, other_school_user: User
) -> None:
    mine = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    theirs = deletion_return_submit(
        data=deletion_data(_school(other_school_user)), by=other_school_user
    )
    response = client_for(school_user).get(MINE_CSV)
    rows = rows_of(response)
    assert [r["Reference"] for r in rows] == [mine.reference]
    assert theirs.reference not in response.content.decode("utf-8-sig")
    assert submission_accesses() == [mine.pk]
    assert download(school_user, "submissions export").additional_data["rows"] == 1


def test_a_schools_export_holds_what_its_page_shows_and_nothing_the_team_recorded(
    school_user: User,
) -> None:
    ret = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    Submission.objects.filter(pk=ret.pk).update(triage_note="Mother known to police")
    response = client_for(school_user).get(MINE_CSV)
    (row,) = rows_of(response)
    assert list(row) == ["Reference", "What", "Child", "Sent", "Status"]
    assert row["Child"] == "Amelia Testington"
    assert row["Status"] == ret.get_shared_status_display()
    text = response.content.decode("utf-8-sig")
    for hidden in ("police", CHILD.upn, CHILD.postcode, "Jo Testington", "07700"):
        assert hidden not in text


def test_a_partners_export_without_personal_details_has_no_child_name(
    school_user: User,
) -> None:
    deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    response = client_for(school_user).get(MINE_CSV, {"personal": "no"})
    (row,) = rows_of(response)
    assert "Child" not in row and "Testington" not in response.content.decode("utf-8-sig")


def test_an_agency_sees_none_of_a_schools_returns_in_its_export(
    school_user: User, agency_user: User
) -> None:
    deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    assert rows_of(client_for(agency_user).get(MINE_CSV)) == []
    assert download(agency_user, "submissions export").additional_data["rows"] == 0


def test_a_school_named_child_as_a_formula_stays_text(school_user: User) -> None:
    child = replace(CHILD, forenames="=1+2", surname="@x")
    deletion_return_submit(data=deletion_data(_school(school_user), child=child), by=school_user)
    (row,) = rows_of(client_for(school_user).get(MINE_CSV))
    assert row["Child"] == "'=1+2 @x"


def test_the_team_is_sent_to_the_incoming_export(officer: User) -> None:
    response = client_for(officer).get(reverse("referrals:mine-export", args=["xlsx"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:incoming-export", args=["xlsx"])


def test_the_ehe_officer_is_refused_the_submissions_exports(la_team: Any) -> None:
    ehe = UserFactory(role=User.Role.EHE_OFFICER, organisation=la_team)
    assert client_for(ehe).get(MINE_CSV).status_code == 403
    assert client_for(ehe).get(INCOMING_CSV).status_code == 403


# --- the incoming queue ------------------------------------------------------------------------


def test_the_incoming_export_is_the_whole_queue_in_its_order(
    school_user: User, officer: User
) -> None:
    newer = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    older = new_pupil_return_submit(data=new_pupil_data(_school(school_user)), by=school_user)
    done = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    Submission.objects.filter(pk=older.pk).update(received_at=timezone.now() - timedelta(days=6))
    Submission.objects.filter(pk=done.pk).update(triage_state=TriageState.NO_ACTION)
    rows = rows_of(client_for(officer).get(INCOMING_CSV))
    assert [r["Reference"] for r in rows] == [older.reference, newer.reference]
    first, second = rows
    assert first["Days waiting"] == "6"
    assert first["Child"] == "Amelia Testington"
    assert first["UPN"] == CHILD.upn and first["Postcode"] == CHILD.postcode
    assert second["Deletion date"] == newer.deletion_date.isoformat()
    assert second["Deletion ground"] == "g"
    assert submission_accesses() == sorted([older.pk, newer.pk])
    entry = download(officer, "incoming export")
    assert entry.additional_data["rows"] == 2 and entry.additional_data["personal_columns"]


def test_the_incoming_xlsx_has_real_dates(school_user: User, officer: User) -> None:
    ret = deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    response = client_for(officer).get(reverse("referrals:incoming-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert row["Deletion date"].date() == ret.deletion_date
    assert row["Date of birth"].date() == CHILD.date_of_birth


def test_the_incoming_export_without_personal_details(school_user: User, officer: User) -> None:
    deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    response = client_for(officer).get(INCOMING_CSV, {"personal": "no"})
    (row,) = rows_of(response)
    assert not {"Child", "Date of birth", "UPN", "Postcode"} & set(row)
    assert "Testington" not in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_are_refused_the_incoming_export(
    persona: str, request: pytest.FixtureRequest, school_user: User
) -> None:
    deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    response = client_for(request.getfixturevalue(persona)).get(INCOMING_CSV)
    assert response.status_code == 403
    assert not LogEntry.objects.filter(additional_data__view="incoming export").exists()


def test_the_pages_link_to_their_exports(school_user: User, officer: User) -> None:
    deletion_return_submit(data=deletion_data(_school(school_user)), by=school_user)
    assert MINE_CSV in client_for(school_user).get(reverse("referrals:mine")).content.decode()
    incoming = client_for(officer).get(reverse("referrals:incoming")).content.decode()
    assert INCOMING_CSV in incoming


def test_an_unknown_format_is_not_found(officer: User, school_user: User) -> None:
    assert (
        client_for(school_user).get(reverse("referrals:mine-export", args=["pdf"])).status_code
        == 404
    )
    assert (
        client_for(officer).get(reverse("referrals:incoming-export", args=["pdf"])).status_code
        == 404
    )
