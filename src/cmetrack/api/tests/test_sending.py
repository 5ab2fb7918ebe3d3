"""Sending through the API meets the web form's checks, routing and all-or-nothing writes, and
answers with one error body: a school's MIS gets exactly what its data manager would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.api.models import ApiToken
from cmetrack.referrals.models import CmeReferral, DeletionReturn, Submission
from cmetrack.testing.factories import reason

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

DELETIONS = "/api/v1/deletion-returns/"


def deletion(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "forenames": "Amelia",
        "surname": "Testington",
        "date_of_birth": "2015-03-27",
        "sex": "F",
        "upn": "H801200001001",
        "address_line_1": "1 Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        "parent_names": "Jo Testington",
        "emergency_phone": "07700 900123",
        "ground": "g",
        "deletion_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    body.update(overrides)
    return body


def test_a_school_sends_a_deletion_return_and_gets_its_reference_and_status(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(school_user)

    response = api.post(DELETIONS, deletion())

    assert response.status_code == 201
    body = response.json()
    ret = DeletionReturn.objects.get()
    assert body["reference"] == ret.reference and body["kind"] == "deletion"
    assert ret.school == school_user.organisation.school  # type: ignore[union-attr]
    assert ret.organisation == school_user.organisation and ret.submitted_by == school_user
    status = api.get(f"/api/v1/submissions/{body['id']}/")
    assert status.status_code == 200 and status.json()["reference"] == ret.reference


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"surname": ""}, "surname", "Enter the child's surname"),
        ({"date_of_birth": "27/03/2015"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": 20150327}, "date_of_birth", "YYYY-MM-DD"),
        ({"ground": "p"}, "ground", "Select a valid choice"),
        ({"lost_pupil": "yes"}, "lost_pupil", "true or false"),
        ({"favourite_colour": "red"}, "favourite_colour", "Unknown field"),
        ({"deletion_date": None}, "deletion_date", ""),
    ],
    ids=["no-surname", "date-format", "date-number", "ground", "bool", "unknown", "no-date"],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    school_user: User,
    api_for: Callable[..., ApiClient],
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    api = api_for(school_user)

    response = api.post(DELETIONS, deletion(**changes))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert not Submission.objects.exists()


@pytest.mark.parametrize("payload", [[], "text", 42, None], ids=["list", "str", "int", "null"])
def test_a_body_that_is_not_an_object_is_400(
    school_user: User, api_for: Callable[..., ApiClient], payload: Any
) -> None:
    response = api_for(school_user).post(DELETIONS, payload)

    assert response.status_code == 400 and not Submission.objects.exists()


def test_malformed_json_is_400_with_the_error_body(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(school_user)
    response = api.client.post(
        DELETIONS, "{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400 and "errors" in response.json()


def test_a_body_over_the_limit_is_413(
    school_user: User, api_for: Callable[..., ApiClient], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_for(school_user).post(DELETIONS, deletion(parent_address="x" * 5000))

    assert response.status_code == 413 and not Submission.objects.exists()


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("agency_user", DELETIONS),
        ("agency_user", "/api/v1/new-pupil-returns/"),
        ("outsider", DELETIONS),
        ("school_user", "/api/v1/other-la-notifications/"),
    ],
)
def test_a_sender_the_web_refuses_is_refused_here(
    persona: str, path: str, api_for: Callable[..., ApiClient], request: pytest.FixtureRequest
) -> None:
    response = api_for(request.getfixturevalue(persona)).post(path, deletion())

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_an_agency_refers_with_the_reason_by_its_code(
    agency_user: User, api_for: Callable[..., ApiClient]
) -> None:
    body = {
        "forenames": "Tia",
        "surname": "Example",
        "date_of_birth": "2014-06-01",
        "sex": "F",
        "referrer_name": "Pat Lead",
        "referrer_role": "Health visitor",
        "referral_source": "health",
        "primary_reason": reason("whereabouts-unknown").code,
        "risk_level": "medium",
    }

    response = api_for(agency_user).post("/api/v1/referrals/", body)

    assert response.status_code == 201, response.json()
    referral = CmeReferral.objects.get()
    assert referral.primary_reason == reason("whereabouts-unknown")


def test_an_unknown_reason_code_is_400_on_that_field(
    agency_user: User, api_for: Callable[..., ApiClient]
) -> None:
    response = api_for(agency_user).post(
        "/api/v1/referrals/",
        {"forenames": "Tia", "surname": "X", "primary_reason": "no-such-reason"},
    )
    assert response.status_code == 400
    assert any(e["field"] == "primary_reason" for e in response.json()["errors"])


def test_every_call_is_audited_on_the_token_without_the_body(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    api = api_for(school_user)
    api.post(DELETIONS, deletion())
    api.post(DELETIONS, deletion(surname=""))

    token = ApiToken.objects.get()
    calls = (
        LogEntry.objects.get_for_object(token).filter(action=LogEntry.Action.ACCESS).order_by("pk")
    )
    assert [(c.additional_data["method"], c.additional_data["status"]) for c in calls] == [
        ("POST", 201),
        ("POST", 400),
    ]
    assert all(c.actor == school_user for c in calls)
    assert "Testington" not in str(list(calls.values()))


def test_a_token_over_its_rate_is_429(
    school_user: User, api_for: Callable[..., ApiClient], settings: Any
) -> None:
    settings.CMETRACK_API_RATE = "3/min"
    api = api_for(school_user)

    codes = [api.get("/api/v1/submissions/").status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


# --- batches: all or nothing --------------------------------------------------------------------

BATCHES = "/api/v1/batches/"


def test_a_batch_of_valid_items_is_recorded_whole(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    items = [
        {"kind": "deletion-return", **deletion(surname="One")},
        {"kind": "deletion-return", **deletion(surname="Two", upn="")},
    ]

    response = api_for(school_user).post(BATCHES, {"items": items})

    assert response.status_code == 201, response.json()
    assert len(response.json()["submissions"]) == 2
    assert sorted(DeletionReturn.objects.values_list("surname", flat=True)) == ["One", "Two"]


def test_one_bad_item_refuses_the_whole_batch_naming_each_problem(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    items = [
        {"kind": "deletion-return", **deletion(surname="Fine")},
        {"kind": "deletion-return", **deletion(surname="")},
        {"kind": "no-such-kind"},
        "not an object",
    ]

    response = api_for(school_user).post(BATCHES, {"items": items})

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"items[1].surname", "items[2].kind", "items[3].kind"} <= fields
    assert not Submission.objects.exists()


def test_a_batch_item_the_account_may_not_send_refuses_the_batch(
    agency_user: User, api_for: Callable[..., ApiClient]
) -> None:
    response = api_for(agency_user).post(
        BATCHES, {"items": [{"kind": "deletion-return", **deletion()}]}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items[0]"
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"items": []}, {"items": "x"}, {"items": [{"kind": "referral"}] * 501}],
    ids=["no-items", "empty", "not-a-list", "too-many"],
)
def test_a_batch_that_is_not_a_list_of_items_is_refused(
    school_user: User, api_for: Callable[..., ApiClient], body: dict[str, Any]
) -> None:
    response = api_for(school_user).post(BATCHES, body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items"
