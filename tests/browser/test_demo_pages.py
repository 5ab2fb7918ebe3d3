"""The demo authority renders: dashboard, filtered case list and a busy case page.

Also what `make screenshots` photographs for docs/screenshots/.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.cases.models import Case
from cmetrack.demo.seed import seed_demo
from cmetrack.schooldays.services import term_dates_load_bundled

from .conftest import screenshot


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_officer_sees_dashboard_case_list_and_a_case(
    live_server: LiveServer, page: Page
) -> None:
    seed_demo(schools=20, children=90, cases=70)
    term_dates_load_bundled()
    call_command("tick")
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("cmetrack-demo-2026")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="open cases")).to_be_visible()
    screenshot(page, "dashboard")

    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_label("Status").select_option("enquiries")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Enquiries under way")
    screenshot(page, "case-list")

    busiest = max(Case.objects.all(), key=lambda case: case.events.count())
    page.goto(f"{live_server.url}/cases/{busiest.public_id}/")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    screenshot(page, "case-page")

    page.get_by_role("link", name="Termly return").click()
    expect(page.get_by_role("heading", name="Termly statutory return")).to_be_visible()
    screenshot(page, "termly-return")
