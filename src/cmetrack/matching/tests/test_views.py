"""The candidates panel, the merge pages and "not the same child": who may use them, and the
journey from a likely duplicate to one record."""

from datetime import date
from uuid import uuid4

import pytest
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.matching.models import NonMatch
from cmetrack.testing.factories import AddressFactory, CaseFactory, ChildFactory

LA_PERSONAS = ["officer", "manager", "admin_user"]
REFUSED_PERSONAS = ["school_user", "agency_user", "outsider"]


@pytest.fixture
def amelia(db: None) -> Child:
    child = ChildFactory(forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4))
    AddressFactory(child=child, postcode="L20 7AE")
    return child


@pytest.fixture
def millie(db: None) -> Child:
    child = ChildFactory(forenames="Millie", surname="Smith", date_of_birth=date(2015, 4, 3))
    AddressFactory(child=child, postcode="L20 7AE")
    return child


def _urls(source: Child, target: Child) -> dict[str, str]:
    return {
        "candidates": reverse("matching:candidates", args=[target.public_id]),
        "merge": reverse("matching:merge", args=[source.public_id, target.public_id]),
        "not-the-same": reverse("matching:not-the-same", args=[source.public_id, target.public_id]),
    }


@pytest.mark.parametrize("page", ["candidates", "merge"])
@pytest.mark.parametrize("persona", LA_PERSONAS)
def test_team_roles_can_open_the_pages(
    page: str, persona: str, amelia: Child, millie: Child, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    assert client_for(user).get(_urls(millie, amelia)[page]).status_code == 200


@pytest.mark.parametrize("page", ["candidates", "merge", "not-the-same"])
@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_other_roles_are_refused(
    page: str, persona: str, amelia: Child, millie: Child, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    url = _urls(millie, amelia)[page]
    assert client.get(url).status_code == 403
    assert client.post(url, {"forenames": "source"}).status_code == 403
    assert amelia.merged_from.count() == 0
    assert not NonMatch.objects.exists()


@pytest.mark.parametrize("page", ["candidates", "merge", "not-the-same"])
def test_anonymous_visitors_are_sent_to_sign_in(page: str, amelia: Child, millie: Child) -> None:
    response = client_for(None).get(_urls(millie, amelia)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_unknown_children_are_404(officer: User, amelia: Child) -> None:
    client = client_for(officer)
    assert client.get(reverse("matching:candidates", args=[uuid4()])).status_code == 404
    assert (
        client.get(reverse("matching:merge", args=[uuid4(), amelia.public_id])).status_code == 404
    )
    url = reverse("matching:not-the-same", args=[amelia.public_id, uuid4()])
    assert client.post(url).status_code == 404


def test_not_the_same_only_accepts_post(officer: User, amelia: Child, millie: Child) -> None:
    assert client_for(officer).get(_urls(millie, amelia)["not-the-same"]).status_code == 405


def test_candidates_page_shows_score_explanation_and_actions(
    officer: User, amelia: Child, millie: Child
) -> None:
    page = client_for(officer).get(_urls(millie, amelia)["candidates"]).content.decode()
    assert "Millie Smith" in page
    assert "likely the same child" in page
    assert "is a known short form of" in page
    assert "day and month swapped" in page
    assert "Compare and merge" in page
    assert "Not the same child" in page


def test_the_merge_journey_ends_on_one_record(officer: User, amelia: Child, millie: Child) -> None:
    case = CaseFactory(child=millie)
    client = client_for(officer)
    url = _urls(millie, amelia)["merge"]
    preview = client.get(url).content.decode()
    assert "What moves to the record you keep" in preview
    assert case.reference in preview
    assert "Which legal first name(s) is right?" in preview

    refused = client.post(url, {})
    assert refused.status_code == 200
    assert "Choose which legal first name(s) to keep" in refused.content.decode()

    done = client.post(url, {"forenames": "target", "date_of_birth": "target"})
    assert done.status_code == 302
    assert done["Location"] == reverse("cases:detail", args=[case.public_id])
    millie.refresh_from_db()
    assert millie.merged_into == amelia
    # The tombstone's pages lead to the record kept.
    old = client.get(reverse("matching:candidates", args=[millie.public_id]))
    assert old["Location"] == reverse("matching:candidates", args=[amelia.public_id])


def test_merge_page_explains_why_two_open_cases_block_it(
    officer: User, amelia: Child, millie: Child
) -> None:
    CaseFactory(child=amelia)
    CaseFactory(child=millie)
    client = client_for(officer)
    url = _urls(millie, amelia)["merge"]
    page = client.get(url).content.decode()
    assert "Both records have an open case" in page
    assert "Merge these records" not in page
    client.post(url, {"forenames": "target", "date_of_birth": "target"})
    millie.refresh_from_db()
    assert millie.merged_into is None


def test_not_the_same_removes_the_suggestion(officer: User, amelia: Child, millie: Child) -> None:
    client = client_for(officer)
    response = client.post(_urls(millie, amelia)["not-the-same"], {"reason": "Twins"})
    assert response.status_code == 302
    assert NonMatch.objects.get().reason == "Twins"
    page = client.get(_urls(millie, amelia)["candidates"]).content.decode()
    assert "No likely duplicates found" in page
