"""In the browser: a CME manager migrates the authority's old register (a messy spreadsheet)
through the column-mapping step, the code-mapping step and the preview, imports it and sees
the result. Also what `make screenshots` photographs for docs/register-migration.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import ChildFactory, OrganisationFactory, UserFactory

from .conftest import axe_violations, screenshot, sign_in

ROWS = 40


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_migrates_a_messy_register_through_the_mapping_steps(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    # Imported here: the generator arrives with the reading layer (skipped until it does).
    testing = pytest.importorskip("cmetrack.register_import.testing")
    messy_register = testing.messy_register
    term_dates_load_bundled()
    UserFactory(
        username="manager",
        first_name="Morgan",
        last_name="Example",
        role=User.Role.CME_MANAGER,
        organisation=OrganisationFactory(name="Sefton CME team"),
    )
    data, truth = messy_register(ROWS, seed=16, fmt="xlsx")
    held = truth[0]  # one child the authority already holds: the preview names them
    ChildFactory(
        forenames=held.forenames, surname=held.surname, date_of_birth=held.date_of_birth, upn=""
    )
    register = tmp_path / "cme-register-export.xlsx"
    register.write_bytes(data)

    sign_in(page, live_server.url, "manager", "/")
    page.get_by_role("link", name="Register migration").click()
    page.get_by_role("button", name="Upload a register").click()
    page.get_by_label("Register file (CSV or XLSX)").set_input_files(str(register))
    page.get_by_role("button", name="Upload and read the columns").click()

    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "register-columns")
    page.get_by_role("button", name="Confirm the columns").click()

    expect(page.get_by_role("heading", name="Match the codes")).to_be_visible()
    assert axe_violations(page) == []
    # Every value cmetrack could not suggest is the officer's to decide: here, "No value"
    # (the default for a blank applies).
    for select in page.locator("select").all():
        if select.input_value() == "?":
            select.select_option(label="No value")
    # ... and a blank or "no value" reason is recorded as "Other".
    page.get_by_label(
        "Reason missing education when the cell is blank or has no value"
    ).select_option("other")
    screenshot(page, "register-codes")
    page.get_by_role("button", name="Confirm the codes and check the file").click()

    expect(page.get_by_role("heading", name="Check the register before importing")).to_be_visible()
    expect(page.locator("#migration-duplicates")).to_contain_text("already held")
    assert axe_violations(page) == []
    screenshot(page, "register-preview")
    page.locator("form[action$='/commit/'] button").first.click()

    expect(page.get_by_role("heading", name="Register imported")).to_be_visible()
    assert Case.objects.count() > 0
    screenshot(page, "register-imported")
