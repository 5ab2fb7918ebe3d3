"""This session's new pages in a real browser, each checked by axe for WCAG A/AA failures: the
home-education register (as the EHE officer sees it on signing in), the administrators' users
page, a manager's audit trail of one child, and the page a stale case form gets. Also what
`make screenshots` photographs for docs/screenshots/."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.services import case_change_status
from cmetrack.ehe.models import EheReason, EheRecord
from cmetrack.testing.factories import (
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
)

from .conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def la_team() -> Organisation:
    return OrganisationFactory()


@pytest.fixture
def officer(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.CME_OFFICER, organisation=la_team)


@pytest.fixture
def manager(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.CME_MANAGER, organisation=la_team)


@pytest.fixture
def administrator(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.ADMIN, organisation=la_team)


def test_the_ehe_officer_lands_on_the_register_and_opens_a_record(
    live_server: LiveServer, page: Page, la_team: Organisation
) -> None:
    UserFactory(username="ehe", role=User.Role.EHE_OFFICER, organisation=la_team)
    record = EheRecord.objects.create(
        child=ChildFactory(forenames="Ottilie", surname="Brennan", date_of_birth=date(2014, 5, 2)),
        source="parent_notice",
        start_date=date(2026, 9, 14),
        reason=EheReason.objects.order_by("pk").first(),
        next_review_due=date(2026, 12, 14),
    )

    sign_in(page, live_server.url, "ehe", "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("home education register")
    expect(page.get_by_role("link", name="Home education")).to_be_visible()
    screenshot(page, "ehe-register")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Ottilie Brennan").first.click()
    expect(page.get_by_text(record.reference).first).to_be_visible()
    screenshot(page, "ehe-record")
    assert axe_violations(page) == []


def test_an_administrator_lists_users_and_opens_the_invitation_form(
    live_server: LiveServer, page: Page, administrator: User, officer: User
) -> None:
    sign_in(page, live_server.url, administrator.username, "/account/users/")
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    expect(page.get_by_text(officer.get_full_name()).first).to_be_visible()
    screenshot(page, "users")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Invite a user").click()
    expect(page.get_by_label("Email address")).to_be_visible()
    assert axe_violations(page) == []


def test_a_manager_reads_who_looked_at_a_child(
    live_server: LiveServer, page: Page, manager: User, officer: User
) -> None:
    case = CaseFactory(child__forenames="Wilfred", child__surname="Ashdown")
    sign_in(page, live_server.url, manager.username, f"/cases/{case.public_id}/")
    page.get_by_role("link", name="Who has viewed or changed this child's record").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text(manager.get_full_name())
    screenshot(page, "child-audit")
    assert axe_violations(page) == []


def test_a_stale_case_form_is_refused_with_what_changed(
    live_server: LiveServer, page: Page, officer: User, manager: User
) -> None:
    case = CaseFactory(assigned_to=officer)
    sign_in(page, live_server.url, officer.username, f"/cases/{case.public_id}/risk/")
    page.get_by_label("High").check()
    # Meanwhile a manager moves the case on: the officer's form is now a version behind.
    case_change_status(case=case, to="enquiries", by=manager)
    page.get_by_role("button", name="Change risk").click()

    expect(page.get_by_role("alert")).to_contain_text("changed since you opened it")
    expect(page.get_by_role("table").first).to_contain_text(manager.get_full_name())
    case.refresh_from_db()
    assert case.risk_level != "high"
    screenshot(page, "case-changed")
    assert axe_violations(page) == []


def test_an_administrator_adds_a_school_organisation_from_the_users_page(
    live_server: LiveServer, page: Page, administrator: User
) -> None:
    SchoolFactory(urn="104512", name="Litherland High School", la_code="343")
    OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Merseyside Police")
    OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Wirral Council", la_code="344")

    sign_in(page, live_server.url, administrator.username, "/account/users/")
    page.get_by_role("link", name="Organisations (schools, agencies, other authorities)").click()
    expect(page.get_by_role("heading", name="Organisations", level=1)).to_be_visible()
    page.get_by_role("button", name="Add an organisation").click()
    assert axe_violations(page) == []
    page.get_by_label("School", exact=True).check()
    page.get_by_label("School URN").fill("104512")
    page.get_by_role("button", name="Add the organisation").click()

    expect(page.get_by_text("Litherland High School added")).to_be_visible()
    expect(page.get_by_role("link", name="Litherland High School")).to_be_visible()
    screenshot(page, "organisations")
    assert axe_violations(page) == []
