"""A returns file through the API: the upload page's two phases, checked then committed, with
the same row errors, the same all-or-valid commit, and the same scoping."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS
from cmetrack.referrals.models import DeletionReturn

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/imports/"


def returns_csv(urn: str, *surnames: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for surname in surnames:
        writer.writerow(
            {
                "return_type": "deletion",
                "school_urn": urn,
                "surname": surname,
                "forename": "Isla",
                "date_of_birth": "2015-04-12",
                "sex": "F",
                "address_line_1": "2 Acacia Avenue",
                "town": "Bootle",
                "postcode": "L20 7AE",
                "parent_name": "Sam Imported",
                "parent_phone": "07700 900123",
                "ground": "f",
                "deletion_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            }
        )
    return out.getvalue().encode()


def upload(api: ApiClient, content: bytes, name: str = "returns.csv") -> Any:
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return api.client.post(IMPORTS, {"file": file}, headers=api.headers)


def _urn(user: User) -> str:
    assert user.organisation is not None and user.organisation.school is not None
    return str(user.organisation.school.urn)


def test_a_file_is_checked_then_committed_with_its_row_errors_named(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(school_user)

    checked = upload(api, returns_csv(_urn(school_user), "Good", ""))

    assert checked.status_code == 202, checked.json()
    body = checked.json()
    assert (body["state"], body["rows"], body["valid"], body["committed"]) == (
        "checked",
        2,
        1,
        False,
    )
    assert any(e["row"] == 3 and e["field"] for e in body["errors"])
    assert not DeletionReturn.objects.exists()  # nothing before the commit

    all_rows = api.post(f"{IMPORTS}{body['id']}/commit/", {})
    assert all_rows.status_code == 400 and not DeletionReturn.objects.exists()

    valid = api.post(f"{IMPORTS}{body['id']}/commit/", {"valid_only": True})
    assert valid.status_code == 200, valid.json()
    assert valid.json()["committed"] and valid.json()["imported"] == 1
    assert list(DeletionReturn.objects.values_list("surname", flat=True)) == ["Good"]
    assert api.get(f"{IMPORTS}{body['id']}/").json()["committed"] is True


def test_an_unreadable_file_is_refused_and_nothing_recorded(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    response = upload(api_for(school_user), b"\x00\x01 not a spreadsheet", "returns.xlsx")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert not DeletionReturn.objects.exists()


def test_no_file_is_400(school_user: User, api_for: Callable[..., ApiClient]) -> None:
    api = api_for(school_user)
    response = api.client.post(IMPORTS, {}, headers=api.headers)

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "file"


def test_another_schools_import_is_not_found_and_an_agency_may_not_import(
    school_user: User,
    other_school_user: User,
    agency_user: User,
    api_for: Callable[..., ApiClient],
) -> None:
    mine = upload(api_for(school_user), returns_csv(_urn(school_user), "Good")).json()
    other = api_for(other_school_user)

    assert other.get(f"{IMPORTS}{mine['id']}/").status_code == 404
    assert other.post(f"{IMPORTS}{mine['id']}/commit/", {"valid_only": True}).status_code == 404
    assert upload(api_for(agency_user), returns_csv(_urn(school_user), "X")).status_code == 403
    assert not DeletionReturn.objects.exists()
