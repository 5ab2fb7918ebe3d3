"""In the browser: a referral for a child already known under another name shows the likely
match with its reasons, and the officer links the case to the known child."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.testing.factories import AddressFactory, ChildFactory, UserFactory

from .conftest import screenshot


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_nickname_referral_offers_the_known_child_with_reasons(
    live_server: LiveServer, page: Page
) -> None:
    UserFactory(username="matcher", role=User.Role.CME_OFFICER)
    known = ChildFactory(forenames="Amelia", surname="Kowalczyk", date_of_birth=date(2015, 3, 27))
    AddressFactory(child=known, line_1="4 Marsh Lane", postcode="L20 7AE")

    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("matcher")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Record a referral").first.click()
    page.get_by_label("Legal first name(s)").fill("Millie")
    page.get_by_label("Legal surname").fill("Kowalczyk")
    page.get_by_label("Day").first.fill("27")
    page.get_by_label("Month").first.fill("3")
    page.get_by_label("Year").first.fill("2015")
    page.get_by_label("Address line 1").fill("4 Marsh Lane")
    page.get_by_label("Postcode").fill("L20 7AE")
    page.get_by_label("Main reason the child is missing education").select_option(
        label="Whereabouts unknown"
    )
    page.get_by_role("button", name="Record referral").click()

    expect(page.get_by_text("This child may already be known")).to_be_visible()
    expect(page.get_by_text("known short form", exact=False).first).to_be_visible()
    screenshot(page, "referral-likely-match")
    page.get_by_label("Yes: Amelia Kowalczyk", exact=False).check()
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_role("heading", name="Amelia Kowalczyk")).to_be_visible()
    assert Case.objects.get().child == known
