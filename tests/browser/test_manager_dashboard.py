"""A CME manager reads the managers' dashboard in a real browser: the charts are drawn (the SVG
images load under the Content-Security-Policy, with no violation reported), each beside its
table, and the page has no WCAG A/AA failure axe can find. Also what `make screenshots`
photographs as docs/screenshots/manager-dashboard.png.

The world is synthetic and deterministic: a year of referrals, placements and closures, spread
over a few schools, reasons, districts and officers.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import CaseEvent, MissingReason, Task
from cmetrack.children.models import ChildFlag, VulnerabilityFlagType
from cmetrack.core.year_group import academic_year_start
from cmetrack.referrals.models import DeletionReturn, Kind
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
)

from .conftest import AXE, axe_violations, screenshot, sign_in

SCHOOLS = [
    "Netherton Park Primary School",
    "Linacre Bridge Academy",
    "Crosby Vale High School",
    "Bootle Marsh Community High School",
    "Southport Marine Academy",
]
DISTRICTS = ["L20", "L21", "L30", "PR8", "PR9", "L37"]
REASONS = ["whereabouts-unknown", "moved-abroad-believed", "removed-by-parents", "awaiting-place"]


def _build(rng: random.Random, today: date) -> None:
    team = OrganisationFactory(name="Sefton CME team")
    officers = [
        UserFactory(first_name=first, last_name="Example", organisation=team)
        for first in ("Alex", "Sam", "Jo")
    ]
    UserFactory(
        username="manager",
        first_name="Morgan",
        last_name="Example",
        role=User.Role.CME_MANAGER,
        organisation=team,
    )
    schools = [SchoolFactory(urn=f"{104400 + n}", name=name) for n, name in enumerate(SCHOOLS)]
    reasons = [MissingReason.objects.get(code=code) for code in REASONS]
    flags = list(VulnerabilityFlagType.objects.all()[:3])
    for n in range(90):
        referred = today - timedelta(days=rng.randrange(20, 360))
        child = ChildFactory(date_of_birth=date(rng.randrange(2011, 2021), rng.randrange(1, 13), 1))
        if rng.random() < 0.85:
            AddressFactory(child=child, postcode=f"{rng.choice(DISTRICTS)} {rng.randrange(1, 9)}AB")
        if flags and rng.random() < 0.3:
            ChildFlag.objects.create(child=child, flag_type=rng.choice(flags))
        placed_after = rng.choice([3, 6, 12, 20, 35, 45, 70, 120])
        placed_on = referred + timedelta(days=placed_after)
        closed = rng.random() < 0.45 and placed_on + timedelta(days=30) < today
        status = "closed" if closed else ("placed" if placed_on < today else "enquiries")
        case = CaseFactory(
            child=child,
            referral_date=referred,
            status=status,
            outcome="on_roll_here" if closed else "",
            closed_on=placed_on + timedelta(days=30) if closed else None,
            last_school=rng.choice(schools) if rng.random() < 0.8 else None,
            primary_reason=rng.choice(reasons),
            assigned_to=officers[n % 3],
        )
        if placed_on < today:
            CaseEvent.objects.create(
                case=case,
                kind=EventKind.STATUS_CHANGED,
                occurred_at=datetime.combine(placed_on, datetime.min.time(), tzinfo=UTC)
                + timedelta(hours=12),
                payload={"from": "enquiries", "to": "placed"},
            )
        if rng.random() < 0.25:
            # A deletion return this academic year: some late, some awaiting a destination.
            DeletionReturn.objects.create(
                kind=Kind.DELETION,
                school=rng.choice(schools),
                ground="a",
                deletion_date=max(referred, date(academic_year_start(today), 9, 1)),
                forenames="Synthetic",
                surname="Pupil",
                late_school_days=rng.choice([None, None, 2, 5]),
                destination_due=today + timedelta(days=rng.choice([-3, 5, 10])),
            )
        if not closed and rng.random() < 0.5:
            Task.objects.create(
                case=case,
                kind="manual",
                title="Home visit",
                due_on=today - timedelta(days=rng.randrange(1, 20)),
                assigned_to=officers[rng.randrange(3)],
            )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_reads_the_dashboard_with_charts_beside_their_tables(
    live_server: LiveServer, page: Page
) -> None:
    _build(random.Random(10), timezone.localdate())
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", watch)
    sign_in(page, live_server.url, "manager", "/reports/dashboard/")
    expect(page.get_by_role("heading", name="Managers' dashboard")).to_be_visible()
    expect(page.get_by_role("table", name="Open cases at each month end")).to_be_visible()
    images = page.locator("main img")
    assert images.count() >= 8
    # Every chart decoded and drawn: a blocked or broken image has no natural width.
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(width > 0 for width in widths), widths
    assert not [p for p in problems if "Content Security Policy" in p], problems
    if AXE.exists():
        assert axe_violations(page) == []
    screenshot(page, "manager-dashboard")

    page.get_by_label("From the start of").select_option(index=3)
    page.get_by_label("To the end of").select_option(index=5)
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="The start month must be the same as or before")
    ).to_be_visible()
