"""Letters in a real browser: an officer previews the letter to parents from the case page,
produces it, and finds it listed with its Word and PDF downloads; axe finds no WCAG A/AA
failure on either page. `make screenshots` keeps both pages and the PDF's first page (by
poppler's pdftoppm) in docs/screenshots/."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.children.models import Contact
from cmetrack.letters.models import Letter
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
)

from .conftest import SCREENSHOTS, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _pdf_first_page(pdf: bytes, name: str) -> None:
    tool = shutil.which("pdftoppm")
    if not SCREENSHOTS or tool is None:
        return
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "letter.pdf"
        source.write_bytes(pdf)
        target = Path(SCREENSHOTS) / name
        subprocess.run(  # noqa: S603 - poppler's converter, fixed arguments
            [
                tool,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(target),
            ],
            check=True,
        )


def test_an_officer_previews_and_produces_the_letter_to_parents(
    live_server: LiveServer, page: Page
) -> None:
    officer = UserFactory(
        username="letters-officer",
        first_name="Katy",
        last_name="Evans",
        role=User.Role.CME_OFFICER,
        organisation=OrganisationFactory(),
    )
    child = ChildFactory(forenames="Amelia", surname="Kowalski", date_of_birth=date(2015, 3, 27))
    AddressFactory(child=child, line_1="12 Linacre Road", town="Litherland", postcode="L21 8NR")
    Contact.objects.create(child=child, name="Marta Kowalska", relationship="Mother")
    case = CaseFactory(
        child=child,
        last_school=SchoolFactory(name="Litherland High School"),
        date_last_attended=date(2026, 9, 18),
        assigned_to=officer,
    )

    sign_in(page, live_server.url, "letters-officer", f"/cases/{case.public_id}/")
    page.get_by_role("link", name="Letters: preview, produce and download").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters")
    assert axe_violations(page) == []
    page.get_by_role(
        "link", name="Preview Letter to parent or carer about absence and possible CME"
    ).click()

    preview = page.get_by_role("document", name="Letter preview")
    expect(preview).to_contain_text("Dear Marta Kowalska")
    expect(preview).to_contain_text("Litherland High School since 18 September 2026")
    assert axe_violations(page) == []
    screenshot(page, "letter-preview")

    page.get_by_role("button", name="Produce the letter").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("produced")
    expect(page.get_by_role("link", name="Word version of Letter to parent")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "letters-produced")

    letter = Letter.objects.get(case=case)
    if letter.pdf_file:
        with default_storage.open(letter.pdf_file, "rb") as stored:
            _pdf_first_page(stored.read(), "letter-parent-absence-pdf")
