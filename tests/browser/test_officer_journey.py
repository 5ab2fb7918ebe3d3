"""The issue's acceptance journey in a real browser: sign in, record a referral, move the case
to enquiries, add a note, close it with an outcome, and read each step on the timeline."""

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.testing.factories import CaseFactory, SchoolFactory, UserFactory

from .conftest import screenshot

PASSWORD = "a-long-test-password"


@pytest.fixture
def signed_in_officer(live_server: LiveServer, page: Page, db: None) -> User:
    officer = UserFactory(
        username="officer", first_name="Olive", last_name="Officer", role=User.Role.CME_OFFICER
    )
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return officer


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_officer_records_works_and_closes_a_case_in_the_browser(
    live_server: LiveServer, page: Page, signed_in_officer: User
) -> None:
    school = SchoolFactory(name="Netherton Park Primary School")
    page.get_by_role("link", name="Record a referral").first.click()
    page.get_by_label("Legal first name(s)").fill("Amelia")
    page.get_by_label("Legal surname").fill("Testington")
    page.get_by_label("Day").first.fill("27")
    page.get_by_label("Month").first.fill("3")
    page.get_by_label("Year").first.fill("2015")
    page.get_by_label("Address line 1").fill("1 Example Road")
    page.get_by_label("Postcode").fill("L20 7AE")
    page.get_by_label("Who made the referral?").select_option("school")
    page.get_by_label("Main reason the child is missing education").select_option(
        label="Whereabouts unknown"
    )
    page.get_by_label("Last school attended").select_option(str(school.pk))
    page.get_by_role("button", name="Record referral").click()

    expect(page.get_by_role("heading", name="Amelia Testington")).to_be_visible()
    case = Case.objects.get()
    expect(page.get_by_text(f"Case reference {case.reference}")).to_be_visible()

    page.get_by_role("link", name="Change status").first.click()
    page.get_by_label("Enquiries under way").check()
    page.get_by_role("button", name="Change status").click()

    page.get_by_role("link", name="Add a note").click()
    page.get_by_label("Note").fill("Home visit: no answer; neighbour says the family moved.")
    page.get_by_role("button", name="Add note").click()
    screenshot(page, "case-page")

    page.get_by_role("link", name="Close the case").click()
    page.get_by_label("On roll in another authority (confirmed)").check()
    page.get_by_role("button", name="Close case").click()

    timeline = page.locator(".moj-timeline")
    for sentence in [
        "Case opened from a referral by School",
        "Status changed from Referred to Enquiries under way",
        "Note added",
        "Home visit: no answer; neighbour says the family moved.",
        "Case closed: On roll in another authority (confirmed)",
    ]:
        expect(timeline.get_by_text(sentence)).to_be_visible()
    case.refresh_from_db()
    assert case.status == "closed"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_missing_field_shows_the_error_summary_and_focuses_it(
    live_server: LiveServer, page: Page, signed_in_officer: User
) -> None:
    page.get_by_role("link", name="Record a referral").first.click()
    page.get_by_role("button", name="Record referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Enter the child's first name")).to_be_visible()
    screenshot(page, "referral-errors")
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_case_list_filters_without_javascript(
    live_server: LiveServer, browser: Browser, db: None
) -> None:
    UserFactory(username="nojs", role=User.Role.CME_OFFICER)
    CaseFactory(child__surname="Quillfeather")
    CaseFactory(child__surname="Otherfamily")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("nojs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_label("Name, UPN, date of birth or reference").fill("quill")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tbody")).to_contain_text("Quillfeather")
    expect(page.locator("tbody")).not_to_contain_text("Otherfamily")
    assert "quill" not in page.url  # the search words stay out of the address bar and logs
    context.close()
