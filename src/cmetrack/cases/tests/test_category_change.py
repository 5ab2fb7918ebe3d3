"""Changing a case between child missing education and at risk, and its main reason, later
(issue 9, item 11): audited, on the timeline, for the CME team only."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, Category
from cmetrack.cases.selectors import case_timeline
from cmetrack.cases.services import CaseError, case_change_category, case_change_primary_reason
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory, reason

pytestmark = pytest.mark.django_db

REFUSED_PERSONAS = ["school_user", "agency_user", "outsider"]


@pytest.fixture
def case() -> Case:
    return CaseFactory(status=Status.ENQUIRIES, category=Category.AT_RISK)


def closed_case() -> Case:
    return CaseFactory(status=Status.CLOSED, outcome="not_cme", closed_on=timezone.localdate())


def case_log(case: Case) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(case).order_by("id"))


# --- category --------------------------------------------------------------------------------


def test_an_officer_changes_at_risk_to_cme_with_a_reason_audited_and_on_the_timeline(
    case: Case, officer: User
) -> None:
    case_change_category(
        case=case,
        category=Category.CME,
        reason_text="  Removed from roll by the school on 2 November ",
        by=officer,
    )

    case.refresh_from_db()
    assert case.category == Category.CME
    event = case.events.get(kind=EventKind.CATEGORY_CHANGED)
    assert event.actor == officer
    assert event.payload["from"] == "at_risk" and event.payload["to"] == "cme"
    row = case_timeline(case=case)[0]
    assert row["sentence"] == (
        "Category changed from at risk of missing education to child missing education"
    )
    assert row["detail"] == "Removed from roll by the school on 2 November"
    entry = case_log(case)[-1]
    assert entry.actor == officer and "category" in entry.changes_dict


def test_cme_back_to_at_risk_is_allowed_too(officer: User) -> None:
    case = CaseFactory(category=Category.CME)
    case_change_category(
        case=case, category=Category.AT_RISK, reason_text="Still on roll", by=officer
    )
    case.refresh_from_db()
    assert case.category == Category.AT_RISK


@pytest.mark.parametrize("reason_text", ["", "   "])
def test_a_category_change_needs_a_reason(case: Case, officer: User, reason_text: str) -> None:
    with pytest.raises(CaseError, match="Say why"):
        case_change_category(case=case, category=Category.CME, reason_text=reason_text, by=officer)
    case.refresh_from_db()
    assert case.category == Category.AT_RISK and not case.events.exists()


def test_changing_to_the_same_category_is_refused(case: Case, officer: User) -> None:
    with pytest.raises(CaseError, match="already at risk of missing education"):
        case_change_category(
            case=case, category=Category.AT_RISK, reason_text="No change", by=officer
        )
    assert not case.events.exists()


def test_an_unknown_category_is_refused(case: Case, officer: User) -> None:
    with pytest.raises(CaseError, match="Choose"):
        case_change_category(case=case, category="ehe", reason_text="x", by=officer)


def test_a_closed_case_keeps_its_category(officer: User) -> None:
    case = closed_case()
    with pytest.raises(CaseError, match="closed"):
        case_change_category(case=case, category=Category.AT_RISK, reason_text="x", by=officer)
    case.refresh_from_db()
    assert case.category == Category.CME


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_only_the_team_changes_the_category(
    case: Case, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(CaseError, match="CME team"):
        case_change_category(case=case, category=Category.CME, reason_text="x", by=user)


# --- main reason -----------------------------------------------------------------------------


def test_an_officer_changes_the_main_reason_audited_and_on_the_timeline(
    officer: User,
) -> None:
    case = CaseFactory(primary_reason=reason("whereabouts-unknown"))
    moved = reason("moved-abroad-believed")
    case.secondary_reasons.set([moved, reason("family-breakdown")])

    case_change_primary_reason(
        case=case, primary_reason=moved, note=" Neighbours say Romania ", by=officer
    )

    case.refresh_from_db()
    assert case.primary_reason == moved
    # It is the main reason now, so it leaves the other reasons.
    assert list(case.secondary_reasons.values_list("code", flat=True)) == ["family-breakdown"]
    event = case.events.get(kind=EventKind.PRIMARY_REASON_CHANGED)
    assert event.actor == officer
    assert (event.payload["from"], event.payload["to"]) == (
        "whereabouts-unknown",
        "moved-abroad-believed",
    )
    row = case_timeline(case=case)[0]
    assert row["sentence"] == (
        "Main reason changed from Whereabouts unknown to Believed to have moved out of the country"
    )
    assert row["detail"] == "Neighbours say Romania"
    changed = [
        e
        for e in case_log(case)
        if e.action == LogEntry.Action.UPDATE and "primary_reason" in e.changes_dict
    ]
    assert [e.actor for e in changed] == [officer]


def test_the_note_is_optional(officer: User) -> None:
    case = CaseFactory()
    case_change_primary_reason(case=case, primary_reason=reason("excluded"), by=officer)
    assert case.events.get(kind=EventKind.PRIMARY_REASON_CHANGED).payload["note"] == ""


def test_changing_to_the_same_main_reason_is_refused(officer: User) -> None:
    case = CaseFactory(primary_reason=reason("excluded"))
    with pytest.raises(CaseError, match="already the main reason"):
        case_change_primary_reason(case=case, primary_reason=reason("excluded"), by=officer)
    assert not case.events.exists()


def test_a_retired_reason_cannot_become_the_main_reason(officer: User) -> None:
    case = CaseFactory()
    old = reason("other")
    old.valid_to = date(2020, 1, 1)
    old.save()
    with pytest.raises(CaseError, match="no longer in use"):
        case_change_primary_reason(case=case, primary_reason=old, by=officer)


def test_a_closed_case_keeps_its_main_reason(officer: User) -> None:
    case = closed_case()
    with pytest.raises(CaseError, match="closed"):
        case_change_primary_reason(case=case, primary_reason=reason("excluded"), by=officer)


@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_only_the_team_changes_the_main_reason(
    case: Case, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(CaseError, match="CME team"):
        case_change_primary_reason(case=case, primary_reason=reason("excluded"), by=user)


# --- the pages -------------------------------------------------------------------------------


def test_the_case_page_links_to_both_changes_while_the_case_is_open(
    case: Case, officer: User
) -> None:
    page = client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    text = page.content.decode()
    assert reverse("cases:category", args=[case.public_id]) in text
    assert reverse("cases:primary-reason", args=[case.public_id]) in text
    closed = closed_case()
    closed_page = client_for(officer).get(reverse("cases:detail", args=[closed.public_id]))
    closed_text = closed_page.content.decode()
    assert reverse("cases:category", args=[closed.public_id]) not in closed_text
    assert reverse("cases:primary-reason", args=[closed.public_id]) not in closed_text


def test_the_category_page_changes_the_category(case: Case, officer: User) -> None:
    client = client_for(officer)
    url = reverse("cases:category", args=[case.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "Change the type of case" in page.content.decode()

    empty = client.post(url, {"category": "cme", "reason_text": ""})
    assert "Enter why the type of case is changing" in empty.content.decode()
    same = client.post(url, {"category": "at_risk", "reason_text": "x"})
    assert "already at risk of missing education" in same.content.decode()
    done = client.post(url, {"category": "cme", "reason_text": "Deleted from roll"})
    assert done.status_code == 302 and done["Location"] == reverse(
        "cases:detail", args=[case.public_id]
    )
    case.refresh_from_db()
    assert case.category == Category.CME


def test_the_main_reason_page_changes_the_main_reason(case: Case, officer: User) -> None:
    client = client_for(officer)
    url = reverse("cases:primary-reason", args=[case.public_id])
    page = client.get(url).content.decode()
    assert "Change the main reason" in page
    assert f'value="{case.primary_reason_id}" selected' in page
    done = client.post(url, {"primary_reason": reason("excluded").pk, "note": "Permanent"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.primary_reason.code == "excluded"


@pytest.mark.parametrize("name", ["cases:category", "cases:primary-reason"])
@pytest.mark.parametrize("persona", REFUSED_PERSONAS)
def test_other_roles_cannot_open_or_post_the_change_pages(
    case: Case, name: str, persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse(name, args=[case.public_id])
    assert client.get(url).status_code in {403, 404}
    response = client.post(
        url, {"category": "cme", "reason_text": "x", "primary_reason": reason("excluded").pk}
    )
    assert response.status_code in {403, 404}
    case.refresh_from_db()
    assert case.category == Category.AT_RISK
    assert case.primary_reason.code == "whereabouts-unknown"
    assert not case.events.exists()


@pytest.mark.parametrize("name", ["cases:category", "cases:primary-reason"])
def test_anonymous_visitors_are_sent_to_sign_in(case: Case, name: str) -> None:
    response = client_for(None).get(reverse(name, args=[case.public_id]))
    assert response.status_code == 302 and "sign-in" in response["Location"]
