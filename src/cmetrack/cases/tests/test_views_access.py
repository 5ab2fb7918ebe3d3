"""Who may open each case page: LA roles are allowed; everyone else is refused or sent to sign in.

A school, agency or other-LA user gets 403 on team pages and 404 on a case (never confirming that
a child is known); an anonymous visitor is sent to the sign-in page.
"""

import pytest
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory

LA_PERSONAS = ["officer", "manager", "admin_user"]
REFUSED_PERSONAS = ["school_user", "agency_user", "outsider"]

TEAM_PAGES = ["cases:dashboard", "cases:list", "referrals:team-referral"]
TEAM_ONLY_PAGES = ["cases:list", "referrals:team-referral", "cases:tasks"]
CASE_PAGES = [
    "cases:detail",
    "cases:status",
    "cases:assign",
    "cases:note",
    "cases:risk",
    "cases:close",
    "cases:flag-add",
]


@pytest.fixture
def case(db: None) -> Case:
    return CaseFactory()


@pytest.mark.parametrize("name", TEAM_PAGES)
@pytest.mark.parametrize("persona", LA_PERSONAS)
def test_la_roles_can_open_team_pages(
    name: str, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_partners_land_on_their_own_submissions_not_the_team_dashboard(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("cases:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:mine")


@pytest.mark.parametrize("name", TEAM_ONLY_PAGES)
@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_other_roles_are_refused_team_pages(
    name: str, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(name: str, db: None) -> None:
    response = client_for(None).get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("name", CASE_PAGES)
@pytest.mark.parametrize("persona", LA_PERSONAS)
def test_la_roles_can_open_case_pages(
    name: str, persona: str, case: Case, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name, args=[case.public_id])).status_code == 200


@pytest.mark.parametrize("name", [*CASE_PAGES, "cases:reopen"])
@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_other_roles_cannot_see_or_change_a_case(
    name: str, persona: str, case: Case, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse(name, args=[case.public_id])
    assert client.get(url).status_code in {403, 404}
    assert client.post(
        url, {"text": "x", "status": "enquiries", "outcome": "died"}
    ).status_code in {
        403,
        404,
    }
    case.refresh_from_db()
    assert case.status == "referred"
    assert not case.events.exists()


@pytest.mark.parametrize("name", CASE_PAGES)
def test_anonymous_visitors_cannot_open_a_case(name: str, case: Case) -> None:
    response = client_for(None).get(reverse(name, args=[case.public_id]))
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_an_unknown_case_id_is_not_found_for_the_team(officer: User) -> None:
    url = reverse("cases:detail", args=["00000000-0000-4000-8000-000000000000"])
    assert client_for(officer).get(url).status_code == 404


def test_case_urls_carry_no_sequential_ids_names_or_upns(officer: User) -> None:
    case = CaseFactory(child__upn="H801200001001", child__surname="Zebedee")
    url = reverse("cases:detail", args=[case.public_id])
    assert str(case.pk) not in url.split("/")
    assert "Zebedee" not in url and "H801200001001" not in url


def test_only_administrators_reach_django_admin(
    officer: User, manager: User, admin_user: User, school_user: User
) -> None:
    assert client_for(admin_user).get("/admin/").status_code == 200
    for user in (officer, manager, school_user):
        assert client_for(user).get("/admin/").status_code == 302  # to the admin sign-in


def test_pages_with_childrens_data_are_never_cached(officer: User, case: Case) -> None:
    response = client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    assert "no-store" in response["Cache-Control"]
