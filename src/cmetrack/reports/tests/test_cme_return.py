"""The termly return: who counts on the census date, in which breakdown, each child once; the
page, its CSV and the command share one selector."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.core.census import COUNTED_STATUSES
from cmetrack.core.grounds import GROUNDS
from cmetrack.reports.csv_layout import HEADER
from cmetrack.reports.models import CodeList, CollectionCode, CollectionTerm, ReasonMapping
from cmetrack.reports.selectors import StatutoryReturn, statutory_return
from cmetrack.testing.factories import CaseFactory, ChildFactory, reason

CENSUS = date(2026, 10, 1)


def rows(report: StatutoryReturn, key: str, title: str) -> dict[str, int]:
    [breakdown] = [b for b in report.section(key).breakdowns if b.title.startswith(title)]
    return {row.label: row.count for row in breakdown.rows}


@pytest.fixture
def register(db: None) -> None:
    girl = ChildFactory(sex="F", date_of_birth=date(2014, 1, 10))  # Year 8 in 2026/27
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
    # Closed on the census day, with no timeline (imported): open until its closure date.
    CaseFactory(
        child__sex="M",
        child__date_of_birth=date(2015, 6, 1),
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
    report = statutory_return(user=officer, census=CENSUS)
    assert report is not None
    assert report.section("cme_census").total == 2
    assert rows(report, "cme_census", "Sex") == {"female": 1, "male": 1, "unknown": 0}
    years = rows(report, "cme_census", "National curriculum")
    assert years["Year 8"] == 1 and years["Year 3"] == 1
    lengths = rows(report, "cme_census", "Length")
    assert lengths == {"12 weeks or less": 1, "More than 12 weeks": 1, "Not known": 0}
    reasons = rows(report, "cme_census", "Primary reason")
    assert reasons["Believed to have moved out of the country"] == 1
    assert reasons["Whereabouts unknown"] == 1


@pytest.mark.usefixtures("register")
def test_last_years_count_includes_children_who_were_cme_at_any_time_then(officer: User) -> None:
    report = statutory_return(user=officer, census=CENSUS)
    assert report is not None
    assert report.previous_year_label == "2025/26"
    # The boy (open since March) and the child closed on the census day (open in May).
    assert report.section("cme_previous_year").total == 2


@pytest.mark.usefixtures("register")
def test_the_page_and_its_csv_show_the_same_figures(officer: User) -> None:
    client = client_for(officer)
    page = client.get(reverse("reports:cme-return"), {"census": "01/10/2026"}).content.decode()
    assert "Children missing education on 1 October 2026: 2" in page
    assert "Children missing education at any time in 2025/26: 2" in page
    response = client.get(reverse("reports:cme-return"), {"census": "2026-10-01", "format": "csv"})
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == HEADER
    assert [
        "cme_census",
        "Children missing education on 1 October 2026",
        "Total",
        "",
        "all children",
        "2",
    ] in table
    assert [
        "cme_census",
        "Children missing education on 1 October 2026",
        "Primary reason",
        "CME_MOVED_ABROAD",
        "Believed to have moved out of the country",
        "1",
    ] in table


@pytest.mark.usefixtures("register")
def test_the_command_writes_the_pages_figures(officer: User, tmp_path: Path) -> None:
    out = tmp_path / "return.csv"
    call_command("statutory_return", "--census-date", "2026-10-01", "--out", str(out))
    page = client_for(officer).get(
        reverse("reports:cme-return"), {"census": "2026-10-01", "format": "csv"}
    )
    assert out.read_bytes() == page.content


@pytest.mark.parametrize(
    ("census", "message"),
    [
        ("01/10/2026", "give it as YYYY-MM-DD"),
        ("2026-02-31", "give it as YYYY-MM-DD"),
        ("1999-12-31", "The census date must be between 1/1/2000 and "),
    ],
)
def test_the_command_refuses_a_bad_date_and_writes_nothing(
    db: None, tmp_path: Path, census: str, message: str
) -> None:
    out = tmp_path / "return.csv"
    with pytest.raises(CommandError, match=message):
        call_command("statutory_return", "--census-date", census, "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_a_path_it_cannot_write(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "statutory_return",
            "--census-date",
            "2026-10-01",
            "--out",
            str(tmp_path / "no" / "r.csv"),
        )
    with pytest.raises(CommandError, match="is a folder"):
        call_command("statutory_return", "--census-date", "2026-10-01", "--out", str(tmp_path))


def test_a_bad_census_date_shows_an_error(officer: User) -> None:
    page = client_for(officer).get(reverse("reports:cme-return"), {"census": "31/02/2026"})
    assert "Enter the census date as day/month/year" in page.content.decode()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_see_the_return(persona: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("reports:cme-return")).status_code in {302, 403}
    assert client_for(user).get(reverse("reports:cme-return"), {"format": "csv"}).status_code in {
        302,
        403,
    }
    assert statutory_return(user=user, census=CENSUS) is None


def test_signed_out_visitors_are_sent_to_sign_in(db: None) -> None:
    assert client_for(None).get(reverse("reports:cme-return")).status_code == 302


def test_the_counted_statuses_are_case_statuses() -> None:
    assert set(Status.values) >= COUNTED_STATUSES
    assert {"placed", "transferred", "closed"}.isdisjoint(COUNTED_STATUSES)


def test_each_term_maps_every_reason_to_one_of_its_own_codes(db: None) -> None:
    from cmetrack.cases.models import MissingReason

    for term in CollectionTerm.objects.all():
        mapped = ReasonMapping.objects.filter(term=term)
        assert set(mapped.values_list("missing_reason__code", flat=True)) == set(
            MissingReason.objects.values_list("code", flat=True)
        ), term
        assert all(m.code.term_id == term.pk for m in mapped.select_related("code"))
    autumn_2025 = CollectionTerm.objects.get(code="2025-autumn")
    earlier = CollectionTerm.objects.get(code="2023-autumn")
    reasons_of = lambda t: CollectionCode.objects.filter(term=t, code_list=CodeList.CME_REASON)  # noqa: E731
    assert reasons_of(autumn_2025).count() == reasons_of(earlier).count() + 5
    assert CollectionTerm.in_force(date(2025, 10, 2)) == autumn_2025
    assert CollectionTerm.in_force(date(2025, 5, 15)) == earlier


def test_a_return_before_any_code_lists_says_so(officer: User) -> None:
    report = statutory_return(user=officer, census=date(2022, 10, 6))
    assert report is not None and report.term_label.startswith("No code lists")


def test_grounds_default_to_reasons_that_say_what_the_school_reported(db: None) -> None:
    assert GROUNDS["g"].reason_code == "moved-destination-unknown"
    assert GROUNDS["m"].reason_code != "removed-by-parents"
    for ground in GROUNDS.values():
        assert reason(ground.reason_code).code == ground.reason_code


def test_an_administrator_can_correct_a_code(admin_user: User) -> None:
    code = CollectionCode.objects.filter(code_list=CodeList.CME_REASON).first()
    assert code is not None
    url = reverse("admin:reports_collectioncode_change", args=[code.pk])
    assert client_for(admin_user).get(url).status_code == 200


def test_a_child_counts_only_from_the_day_their_school_took_them_off_its_roll(
    officer: User,
) -> None:
    from cmetrack.referrals.models import DeletionReturn
    from cmetrack.testing.factories import SchoolFactory

    case = CaseFactory(referral_date=date(2026, 9, 20), status="enquiries")
    # The school told the authority in advance: the pupil leaves its roll on 5 October.
    DeletionReturn.objects.create(
        kind="deletion", school=SchoolFactory(), deletion_date=date(2026, 10, 5), case=case
    )
    on_census = statutory_return(user=officer, census=CENSUS)
    after = statutory_return(user=officer, census=date(2026, 10, 5))
    assert on_census is not None and on_census.section("cme_census").total == 0
    assert after is not None and after.section("cme_census").total == 1
