"""The merge flow end to end in the browser: from a case page to the likely duplicate, through
the preview with a conflicting field chosen, to one record with the other as a tombstone."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.testing.factories import AddressFactory, CaseFactory, ChildFactory, UserFactory

from .conftest import screenshot


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_officer_merges_a_duplicate_record_from_the_case_page(
    live_server: LiveServer, page: Page
) -> None:
    UserFactory(username="merger", role=User.Role.CME_OFFICER)
    case = CaseFactory(
        child__forenames="Amelia",
        child__surname="Kowalczyk",
        child__date_of_birth=date(2015, 3, 27),
        child__upn="H801200001001",
    )
    AddressFactory(child=case.child, line_1="4 Marsh Lane", postcode="L20 7AE")
    duplicate = ChildFactory(
        forenames="Millie", surname="Kowalczyk", date_of_birth=date(2015, 3, 27), upn=""
    )
    AddressFactory(child=duplicate, line_1="4 Marsh Lane", postcode="L20 7AE")

    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("merger")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    page.get_by_role("link", name="Check for duplicate records of this child").click()
    expect(page.get_by_text("Millie Kowalczyk", exact=False).first).to_be_visible()
    page.get_by_role("link", name="Compare and merge", exact=False).first.click()
    expect(page.get_by_role("heading", name="Merge", exact=False).first).to_be_visible()
    radios = page.get_by_label("(the record you keep)", exact=False)
    for i in range(radios.count()):
        radios.nth(i).check()
    screenshot(page, "merge-preview")
    page.get_by_role("button", name="Merge these records").click()
    expect(page.get_by_text("Records merged", exact=False)).to_be_visible()

    duplicate.refresh_from_db()
    kept = Child.objects.get(pk=case.child.pk)
    assert duplicate.merged_into == kept
    assert kept.forenames == "Amelia"
    assert kept.other_names.filter(forenames="Millie").exists()
