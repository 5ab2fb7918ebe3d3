"""In the browser: a CME officer loads last summer's and this autumn's rolls, runs the key-stage
transition check, reads a candidate's explanation and dismisses one. Also what `make
screenshots` photographs for docs/cross-checks.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.testing.cohorts import ELSEWHERE_FATES, LA, authority
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory
from cmetrack.testing.roll_files import census_csv

from .conftest import axe_violations, screenshot, sign_in


def _load(page: Page, path: Path, day: str, month: str, year: str, description: str) -> None:
    page.get_by_role("button", name="Load a roll").click()
    page.get_by_label("Roll file").set_input_files(str(path))
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_label("Description (optional)").fill(description)
    page.get_by_role("button", name="Load the roll").click()
    expect(page.get_by_role("heading", name=f"Roll of {day} ")).to_be_visible()
    page.get_by_role("link", name="School rolls").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_officer_finds_the_leavers_on_no_roll(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    UserFactory(
        username="officer",
        first_name="Olu",
        last_name="Example",
        role=User.Role.CME_OFFICER,
        organisation=OrganisationFactory(name="Sefton CME team"),
    )
    cohort = authority(seed=11, primaries=4, per_year=6)
    for s in cohort.schools:
        SchoolFactory(urn=s.urn, la_code=LA, establishment_number=s.estab, name=s.name)
    summer, autumn = tmp_path / "summer-census.csv", tmp_path / "autumn-census.csv"
    summer.write_bytes(census_csv(cohort.summer))
    autumn.write_bytes(census_csv(cohort.autumn))

    sign_in(page, live_server.url, "officer", "/")
    page.get_by_role("link", name="Cross-checks").click()
    page.get_by_role("link", name="school rolls").click()
    _load(page, summer, "15", "7", "2026", "Summer census 2026, all schools")
    _load(page, autumn, "1", "10", "2026", "Autumn census 2026, all schools")
    assert axe_violations(page) == []
    screenshot(page, "rolls")

    page.get_by_role("link", name="Cross-checks").first.click()
    page.get_by_role("link", name="Run the key-stage transition check").click()
    assert axe_violations(page) == []
    page.locator("#id_leavers_on_0").fill("15")
    page.locator("#id_leavers_on_1").fill("7")
    page.locator("#id_leavers_on_2").fill("2026")
    screenshot(page, "crosscheck-start")
    page.get_by_role("button", name="Run the key-stage transition check").click()

    expect(page.get_by_role("heading", name="Key-stage transition check")).to_be_visible()
    # Nothing here records who left the area, is home educated or has a case: on no roll, they
    # are all candidates.
    missing = cohort.leavers(("missing", "twin_missing", *ELSEWHERE_FATES))
    expect(page.locator("#candidates tbody tr")).to_have_count(len(missing))
    assert axe_violations(page) == []
    screenshot(page, "crosscheck-results")

    page.locator("#candidates tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Why this child is a candidate")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "crosscheck-candidate")
    page.get_by_label("Why is this child not missing education?").fill(
        "Moved to Leeds: Leeds CME team confirmed on 3 October"
    )
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#candidates tbody tr")).to_have_count(len(missing) - 1)
