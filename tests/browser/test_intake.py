"""A school sends a deletion return in a real browser; the CME team sees it in the incoming
queue with the statutory clock."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import Organisation, User
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS
from cmetrack.referrals.models import DeletionReturn
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory

from .conftest import screenshot, sign_in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_school_sends_a_deletion_return_and_the_team_sees_it(
    live_server: LiveServer, page: Page
) -> None:
    base = live_server.url
    school = SchoolFactory(name="Netherton Park Primary School")
    org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    UserFactory(username="school", role=User.Role.SCHOOL_USER, organisation=org)
    UserFactory(username="officer", role=User.Role.CME_OFFICER)

    sign_in(page, base, "school", "/intake/returns/deletion/")
    expect(page.get_by_role("heading", name="Send a deletion return")).to_be_visible()
    page.get_by_label("Legal first name(s)").fill("Amelia")
    page.get_by_label("Legal surname").fill("Testington")
    page.get_by_label("Day", exact=True).nth(0).fill("27")
    page.get_by_label("Month", exact=True).nth(0).fill("3")
    page.get_by_label("Year", exact=True).nth(0).fill("2015")
    page.get_by_label("Address line 1").fill("1 Example Road")
    page.get_by_label("Postcode").fill("L20 7AE")
    page.get_by_label("Parent(s) or carer(s) the pupil lives with").fill("Jo Testington")
    page.get_by_label("Emergency contact phone number").fill("07700 900123")
    page.get_by_label("(g) No longer lives within reasonable distance").check()
    when = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day", exact=True).nth(1).fill(str(when.day))
    page.get_by_label("Month", exact=True).nth(1).fill(str(when.month))
    page.get_by_label("Year", exact=True).nth(1).fill(str(when.year))
    screenshot(page, "intake-school-deletion-return")
    page.get_by_role("button", name="Send deletion return").click()

    ret = DeletionReturn.objects.get()
    expect(page.get_by_text(f"Your reference is {ret.reference}")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "officer", "/intake/incoming/")
    expect(page.get_by_role("heading", name="Incoming")).to_be_visible()
    expect(page.get_by_role("link", name=ret.reference)).to_be_visible()
    screenshot(page, "intake-incoming-queue")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_with_errors_is_previewed_row_by_row(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    base = live_server.url
    school = SchoolFactory(urn="104321", name="Netherton Park Primary School")
    org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    UserFactory(username="school", role=User.Role.SCHOOL_USER, organisation=org)
    soon = (timezone.localdate() + timedelta(days=3)).isoformat()
    header = ",".join(TEMPLATE_COLUMNS)
    cells = {
        "return_type": "deletion",
        "school_urn": "104321",
        "surname": "Example",
        "forename": "Amelia",
        "date_of_birth": "2015-04-12",
        "sex": "F",
        "parent_name": "Sam Example",
        "parent_phone": "07700 900123",
        "ground": "g",
        "deletion_date": soon,
    }
    bad = [
        {},
        {"surname": "Sample", "date_of_birth": "31/02/2015"},
        {"surname": "Other", "school_urn": "999999"},
        {"surname": "Late", "ground": "a"},
        {"surname": "Upn", "upn": "A343200024001"},
    ]
    lines = [header] + [",".join({**cells, **b}.get(c, "") for c in TEMPLATE_COLUMNS) for b in bad]
    upload = tmp_path / "returns.csv"
    upload.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")

    sign_in(page, base, "school", "/intake/import/")
    page.get_by_label("Return file").set_input_files(str(upload))
    page.get_by_role("button", name=re.compile("Upload|Check", re.I)).click()
    expect(page.get_by_text("No school with URN 999999")).to_be_visible()
    screenshot(page, "import-preview-errors")
