"""A CME manager reads the patterns per school (off-rolling) in a real browser: the list in
attention order, then one school's returns by ground and term.

The data is demo-like and deterministic: a dozen invented Sefton schools and a term and a half
of returns, spread the way a borough's are (most removals on ground (a), a few late, a school
or two using (h)/(i) early and ground (l) for younger pupils). Also what `make screenshots`
photographs for docs/screenshots/.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import User
from cmetrack.core.year_group import academic_year_start
from cmetrack.referrals.models import DeletionReturn, Kind, NewPupilReturn
from cmetrack.referrals.school_patterns import OFF_ROLLING_WARNING
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.schools.models import School
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory

from .conftest import screenshot

PASSWORD = "a-long-test-password"

# name, how many deletion returns, and how the school behaves (chance per return).
SCHOOLS = [
    ("Netherton Park Primary School", 9, {"late": 0.2}),
    ("Linacre Bridge Academy", 14, {"late": 0.55, "early_hi": 0.25, "l": 0.15, "lapse": 0.5}),
    ("St Oswald's Catholic Primary School", 5, {}),
    ("Crosby Vale High School", 11, {"late": 0.3, "lapse": 0.3}),
    ("Ainsdale Dunes Primary School", 4, {"late": 0.25}),
    ("Bootle Marsh Community High School", 12, {"late": 0.4, "early_hi": 0.1, "l": 0.1}),
    ("Maghull Fields Primary School", 6, {}),
    ("Waterloo Shore Primary School", 7, {"late": 0.15, "lapse": 0.2}),
    ("Formby Pinewood High School", 8, {"late": 0.1}),
    ("Litherland Moss Primary School", 3, {}),
    ("Southport Marine Academy", 10, {"late": 0.35, "lapse": 0.25, "l": 0.05}),
    ("Seaforth Sands Primary School", 2, {}),
]
GROUNDS = ["a"] * 8 + ["g"] * 3 + ["f"] * 2 + ["o", "h", "i", "c", "k", ""]


def _build(rng: random.Random, first_day: date, today: date) -> School:
    span = (today - first_day).days
    for n, (name, count, habits) in enumerate(SCHOOLS):
        school = SchoolFactory(
            urn=f"{104300 + n}",
            name=name,
            establishment_number=f"{2100 + n}",
            phase="Secondary" if "High" in name or "Academy" in name else "Primary",
        )
        for _ in range(count):
            on = first_day + timedelta(days=rng.randrange(span))
            code = rng.choice(GROUNDS)
            fields: dict[str, object] = {}
            if rng.random() < habits.get("l", 0):
                code = "l"
                fields["intake_warnings"] = [
                    [
                        "ground",
                        "Ground (l) but the child is of compulsory school age until "
                        f"26/06/2029: {OFF_ROLLING_WARNING}",
                    ]
                ]
            if rng.random() < habits.get("early_hi", 0):
                code = rng.choice("hi")
                fields["removed_before_agreement"] = True
            if rng.random() < habits.get("late", 0):
                fields["late_school_days"] = rng.choice([1, 2, 3, 4, 6, 9, 15])
            if code in "ag" and code:
                fields["destination_due"] = on + timedelta(days=10)
                if rng.random() < habits.get("lapse", 0) and on + timedelta(days=11) < today:
                    fields["destination_lapsed_at"] = datetime.combine(
                        on + timedelta(days=11), datetime.min.time(), tzinfo=UTC
                    )
                elif on + timedelta(days=10) < today:
                    fields["destination_confirmed_at"] = datetime.combine(
                        on + timedelta(days=5), datetime.min.time(), tzinfo=UTC
                    )
            DeletionReturn.objects.create(
                kind=Kind.DELETION,
                school=school,
                ground=code,
                deletion_date=on,
                forenames="Synthetic",
                surname="Pupil",
                **fields,
            )
        for _ in range(rng.randrange(2, 9)):
            NewPupilReturn.objects.create(
                kind=Kind.NEW_PUPIL,
                school=school,
                start_date=first_day + timedelta(days=rng.randrange(span)),
                forenames="Synthetic",
                surname="Pupil",
            )
    return School.objects.get(name="Linacre Bridge Academy")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_reads_the_patterns_per_school(live_server: LiveServer, page: Page) -> None:
    term_dates_load_bundled()
    today = timezone.localdate()
    first_day = date(academic_year_start(today), 9, 1)
    if (today - first_day).days < 14:  # early September: show last year instead
        first_day = date(first_day.year - 1, 9, 1)
        today = date(first_day.year + 1, 7, 20)
    busiest = _build(random.Random(9), first_day, today)
    UserFactory(
        username="manager",
        first_name="Morgan",
        last_name="Example",
        role=User.Role.CME_MANAGER,
        organisation=OrganisationFactory(name="Sefton CME team"),
    )

    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="School patterns").click()
    if first_day.year != academic_year_start(timezone.localdate()):
        page.get_by_label("Academic year").select_option(str(first_day.year))
        page.get_by_role("button", name="Show figures").click()

    expect(page.get_by_role("heading", name="School patterns")).to_be_visible()
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("Linacre Bridge Academy")
    expect(page.get_by_role("link", name="Download this table as CSV")).to_be_visible()
    screenshot(page, "school-patterns")

    page.get_by_role("link", name=busiest.name).click()
    expect(page.get_by_role("heading", name=busiest.name)).to_be_visible()
    expect(page.get_by_role("table").nth(1)).to_contain_text("Autumn 1")
    screenshot(page, "school-pattern-detail")
