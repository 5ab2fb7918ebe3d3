"""The reference-data page in a real browser: a manager reaches it from the navigation and reads
every list with its counts, with no WCAG A/AA failure axe can find; an administrator follows a
row's "Change" link into Django admin. Also what `make screenshots` photographs as
docs/screenshots/reference-data.png."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import EnquiryCheck, EnquiryCheckType, MissingReason
from cmetrack.children.models import ChildFlag, VulnerabilityFlagType
from cmetrack.ehe.models import EheReason, EheRecord
from cmetrack.testing.factories import CaseFactory, ChildFactory, OrganisationFactory, UserFactory

from .conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def la_team() -> Organisation:
    return OrganisationFactory(name="Sefton CME team")


def _world() -> None:
    """A few open cases on the common reasons, flags, enquiries and a home-education record,
    and one reason retired at the end of last school year."""
    MissingReason.objects.create(
        code="retired-example",
        label="Awaiting a school place (old wording)",
        valid_to=date(2025, 8, 31),
        display_order=999,
    )
    plan = VulnerabilityFlagType.objects.get(code="child-protection-plan")
    check = EnquiryCheckType.objects.order_by("side", "display_order").first()
    assert check is not None
    for n, code in enumerate(["whereabouts-unknown"] * 3 + ["moved-abroad-believed"] * 2):
        case = CaseFactory(primary_reason=MissingReason.objects.get(code=code))
        if n % 2 == 0:
            ChildFlag.objects.create(child=case.child, flag_type=plan)
        EnquiryCheck.objects.create(
            case=case,
            check_type=check,
            done_on=date(2026, 10, 1),
            done_by_name="CME team",
            method="phone",
            result="nothing",
        )
    EheRecord.objects.create(
        child=ChildFactory(),
        source="parent_notice",
        start_date=date(2026, 9, 14),
        reason=EheReason.objects.order_by("display_order").first(),
    )


def test_a_manager_reads_the_reference_data_from_the_navigation(
    live_server: LiveServer, page: Page, la_team: Organisation
) -> None:
    UserFactory(username="manager", role=User.Role.CME_MANAGER, organisation=la_team)
    _world()

    sign_in(page, live_server.url, "manager", "/")
    page.get_by_role("link", name="Reference data").click()
    expect(page.get_by_role("heading", name="Reference data", level=1)).to_be_visible()
    for caption in ("Reasons a child is missing education", "Vulnerability flags", "Timescales"):
        expect(page.locator("caption", has_text=caption).first).to_be_visible()
    reason_row = page.get_by_role("row", name="Whereabouts unknown", exact=False).first
    expect(reason_row).to_contain_text("3")
    expect(page.get_by_text("No: ended 31 August 2025")).to_be_visible()
    # A manager is no administrator: no links into Django admin.
    expect(page.locator('a[href^="/admin/"]')).to_have_count(0)
    screenshot(page, "reference-data")
    assert axe_violations(page) == []


def test_an_administrator_follows_a_row_into_django_admin(
    live_server: LiveServer, page: Page, la_team: Organisation
) -> None:
    UserFactory(username="administrator", role=User.Role.ADMIN, organisation=la_team)
    _world()

    sign_in(page, live_server.url, "administrator", "/reports/reference-data/")
    expect(page.get_by_role("heading", name="Reference data", level=1)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Change Awaiting a school place (old wording)").click()
    expect(page.get_by_role("heading", name="Change missing reason")).to_be_visible()
