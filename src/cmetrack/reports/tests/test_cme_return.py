"""The termly CME return: who counts on the census date, in which breakdown, each child once."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.reports.selectors import cme_return
from cmetrack.testing.factories import CaseFactory, ChildFactory, reason

CENSUS = date(2026, 10, 1)


def rows(report_part: object, title: str) -> dict[str, int]:
    [breakdown] = [b for b in report_part if b.title.startswith(title)]  # type: ignore[attr-defined]
    return dict(breakdown.rows)


@pytest.fixture
def register(db: None) -> None:
    girl = ChildFactory(
        sex="F", date_of_birth=date(2014, 1, 10)
    )  # Year 8 in 2026/27 (12 on 31 August 2026)
    CaseFactory(
        child=girl,
        referral_date=date(2026, 9, 20),
        status="enquiries",
        primary_reason=reason("moved-abroad-believed"),
    )
    boy = ChildFactory(sex="M", date_of_birth=date(2019, 5, 5))  # Year 3
    CaseFactory(
        child=boy,
        referral_date=date(2026, 3, 1),
        date_last_attended=date(2026, 2, 1),
        status="untraced",
    )
    # Closed on the census day: back in education, not counted that day; counted last year.
    CaseFactory(
        child__sex="M",
        referral_date=date(2026, 5, 1),
        status="closed",
        outcome="on_roll_here",
        closed_on=CENSUS,
    )
    # At risk of missing education: never in the return.
    CaseFactory(category="at_risk", referral_date=date(2026, 9, 1), status="enquiries")
    # Referred after the census date.
    CaseFactory(referral_date=date(2026, 10, 2), status="referred")


@pytest.mark.usefixtures("register")
def test_the_census_counts_each_true_cme_child_open_that_day(officer: User) -> None:
    report = cme_return(user=officer, census=CENSUS)
    assert report is not None
    assert report.on_census_total == 2
    assert rows(report.on_census, "Sex") == {"female": 1, "male": 1, "unknown": 0}
    years = rows(report.on_census, "National curriculum")
    assert years["Year 8"] == 1 and years["Year 3"] == 1
    lengths = rows(report.on_census, "Length")
    assert lengths == {"12 weeks or less": 1, "more than 12 weeks": 1, "unknown": 0}
    assert (
        rows(report.on_census, "Primary reason")["Believed to have moved out of the country"] == 1
    )


@pytest.mark.usefixtures("register")
def test_last_years_count_includes_children_who_were_cme_at_any_time_then(officer: User) -> None:
    report = cme_return(user=officer, census=CENSUS)
    assert report is not None
    assert report.previous_year_label == "2025/26"
    # The boy (open since March) and the child closed on the census day (open in May).
    assert report.previous_year_total == 2


@pytest.mark.usefixtures("register")
def test_the_page_and_its_csv(officer: User) -> None:
    client = client_for(officer)
    page = client.get(reverse("reports:cme-return"), {"census": "01/10/2026"}).content.decode()
    assert "Children missing education on 1 October 2026: 2" in page
    response = client.get(reverse("reports:cme-return"), {"census": "2026-10-01", "format": "csv"})
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["section", "breakdown", "category", "count"]
    assert ["CME on 01/10/2026", "Sex", "female", "1"] in table


def test_a_bad_census_date_shows_an_error(officer: User) -> None:
    page = client_for(officer).get(reverse("reports:cme-return"), {"census": "31/02/2026"})
    assert "Enter the census date as day/month/year" in page.content.decode()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_see_the_return(persona: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("reports:cme-return")).status_code in {302, 403}
    assert cme_return(user=user, census=CENSUS) is None
