"""The public information page as a member of the public meets it, not signed in: axe finds no
WCAG A/AA failure, the start button leads to the concern form, and `make screenshots` keeps the
page in docs/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.publicinfo.services import published_document_add
from cmetrack.testing.factories import OrganisationFactory, UserFactory

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_public_reads_the_page_downloads_a_form_and_reaches_the_concern_form(
    live_server: LiveServer, page: Page
) -> None:
    manager = UserFactory(role=User.Role.CME_MANAGER, organisation=OrganisationFactory())
    published_document_add(
        upload=b"%PDF-1.4\n%%EOF\n",
        filename="guidance.pdf",
        title="Children missing education: statutory guidance",
        description="The Department for Education's guidance for local authorities.",
        by=manager,
    )

    page.goto(f"{live_server.url}/information/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Children missing education")
    guidance = page.get_by_role("link", name="Children missing education: statutory guidance")
    expect(guidance).to_be_visible()
    expect(page.get_by_role("link", name="PDF of Blank referral form")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "public-information")

    page.get_by_role("button", name="Report a concern about a child").click()
    expect(page).to_have_url(f"{live_server.url}/intake/concern/")
