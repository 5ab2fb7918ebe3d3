"""Reading through the API: a sender sees only what its organisation sent, with the status
the authority shares; the CME team reads cases and tasks, and each child shown is audited as a
view, as the pages do. Every role is asked every read endpoint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import User
from cmetrack.cases.services import task_create
from cmetrack.referrals.models import Kind, Submission
from cmetrack.testing.factories import CaseFactory

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def _sent_by(user: User, reference: str) -> Submission:
    return Submission.objects.create(
        reference=reference,
        kind=Kind.DELETION,
        organisation=user.organisation,
        submitted_by=user,
        forenames="Amelia",
        surname="Testington",
    )


def test_a_school_sees_only_its_own_submissions(
    school_user: User, other_school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    mine = _sent_by(school_user, "DEL-MINE-0001")
    theirs = _sent_by(other_school_user, "DEL-THEIRS-001")
    api = api_for(school_user)

    listing = api.get("/api/v1/submissions/").json()
    assert [s["reference"] for s in listing["results"]] == ["DEL-MINE-0001"]
    assert listing["count"] == 1
    assert api.get(f"/api/v1/submissions/{mine.public_id}/").status_code == 200
    # Another school's: not found, never "forbidden" (which would say it exists).
    assert api.get(f"/api/v1/submissions/{theirs.public_id}/").status_code == 404


def test_a_status_answer_carries_nothing_the_team_recorded(
    school_user: User, api_for: Callable[..., ApiClient]
) -> None:
    sent = _sent_by(school_user, "DEL-MINE-0002")

    body = api_for(school_user).get(f"/api/v1/submissions/{sent.public_id}/").json()

    assert set(body) == {
        "id",
        "reference",
        "kind",
        "received_at",
        "status",
        "status_label",
        "status_changed_at",
    }


def test_the_team_reads_cases_filtered_and_paged_and_each_child_is_audited(
    officer: User, api_for: Callable[..., ApiClient]
) -> None:
    cases = CaseFactory.create_batch(3)
    CaseFactory(status="enquiries")
    api = api_for(officer)

    page = api.get("/api/v1/cases/", status="referred", page_size=2).json()

    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    shown = {c["child"]["id"] for c in page["results"]}
    assert all(
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, object_pk__in=[str(c.child.pk) for c in cases]
        ).exists()
        for _ in shown
    )
    one = api.get(f"/api/v1/cases/{cases[0].public_id}/").json()
    assert one["reference"] == cases[0].reference and one["child"]["surname"]


def test_a_bad_filter_is_400_on_its_field(officer: User, api_for: Callable[..., ApiClient]) -> None:
    response = api_for(officer).get("/api/v1/cases/", status="not-a-status")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_the_team_reads_open_tasks_soonest_first(
    officer: User, api_for: Callable[..., ApiClient]
) -> None:
    case = CaseFactory()
    task_create(case=case, title="Later", due_on=date(2099, 2, 1), by=officer)
    task_create(case=case, title="Sooner", due_on=date(2099, 1, 1), by=officer)

    titles = [t["title"] for t in api_for(officer).get("/api/v1/tasks/").json()["results"]]

    assert titles.index("Sooner") < titles.index("Later")


@pytest.mark.parametrize(
    ("persona", "cases", "submissions"),
    [
        ("officer", 200, 403),
        ("manager", 200, 403),
        ("admin_user", 200, 403),
        ("school_user", 403, 200),
        ("other_school_user", 403, 200),
        ("agency_user", 403, 200),
        ("outsider", 403, 200),
    ],
)
def test_each_role_reads_what_its_pages_would_show_and_nothing_else(
    persona: str,
    cases: int,
    submissions: int,
    api_for: Callable[..., ApiClient],
    request: pytest.FixtureRequest,
) -> None:
    case = CaseFactory()
    api = api_for(request.getfixturevalue(persona))

    assert api.get("/api/v1/cases/").status_code == cases
    assert api.get(f"/api/v1/cases/{case.public_id}/").status_code == cases
    assert api.get("/api/v1/tasks/").status_code == cases
    assert api.get("/api/v1/submissions/").status_code == submissions


def test_the_ehe_officer_reads_no_cme_case(
    api_for: Callable[..., ApiClient], la_team: object
) -> None:
    from cmetrack.testing.factories import UserFactory

    ehe = UserFactory(role=User.Role.EHE_OFFICER, organisation=la_team)
    api = api_for(ehe)

    assert api.get("/api/v1/cases/").status_code == 403
    assert api.get("/api/v1/submissions/").status_code == 403


def test_the_schema_is_public_and_names_every_endpoint() -> None:
    from django.test import Client

    document = Client(HTTP_HOST="127.0.0.1").get("/api/schema/", {"format": "json"}).json()

    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/deletion-returns/",
        "/api/v1/new-pupil-returns/",
        "/api/v1/referrals/",
        "/api/v1/other-la-notifications/",
        "/api/v1/submissions/",
        "/api/v1/cases/",
        "/api/v1/tasks/",
    } <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
