"""Patterns per school (off-rolling): figures on a small hand-made history, who may see them,
the CSV, the audit entries, and a fixed number of queries however many schools there are."""

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmetrack.accounts.models import Organisation, User
from cmetrack.conftest import client_for
from cmetrack.referrals.checks import deletion_check
from cmetrack.referrals.checks.deletion import OFF_ROLLING_WARNING
from cmetrack.referrals.models import DeletionReturn, Kind, NewPupilReturn
from cmetrack.referrals.school_patterns import (
    median_of_counts,
    school_pattern_detail,
    school_patterns,
    term_columns,
)
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.schools.models import School
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory

from .helpers import deletion_data

YEAR = 2025  # 2025/26 in the bundled term dates: Autumn 1 starts 1/9/2025 … Summer 2 1/6/2026
WHEN = datetime(2026, 7, 1, 12, tzinfo=UTC)


def deletion(school: School, ground: str, on: date, **fields: Any) -> DeletionReturn:
    return DeletionReturn.objects.create(
        kind=Kind.DELETION,
        school=school,
        ground=ground,
        deletion_date=on,
        received_at=WHEN,
        forenames="Test",
        surname="Pupil",
        **fields,
    )


def new_pupil(school: School, on: date) -> NewPupilReturn:
    return NewPupilReturn.objects.create(
        kind=Kind.NEW_PUPIL, school=school, start_date=on, forenames="New", surname="Pupil"
    )


@pytest.fixture
def off_rolling_warnings(db: None) -> list[list[str]]:
    """What the real deletion check records for ground (l) and a child of school age (2015)."""
    verdict = deletion_check(deletion_data(SchoolFactory(), ground="l"), today=date(2026, 1, 5))
    warnings = [[w.field, w.message] for w in verdict.warnings]
    assert any(OFF_ROLLING_WARNING in message for _, message in warnings)
    return warnings


@pytest.fixture
def history(db: None, off_rolling_warnings: list[list[str]]) -> dict[str, School]:
    term_dates_load_bundled()
    a = SchoolFactory(
        urn="104321", name="Netherton Park Primary School", establishment_number="2001"
    )
    b = SchoolFactory(urn="104322", name="Aintree Brook Primary School")
    c = SchoolFactory(urn="104323", name="Crosby Vale High School")
    # School A, 2025/26: eight deletion returns.
    deletion(a, "g", date(2025, 9, 15), late_school_days=3)  # Autumn 1, late
    # Half term (27-31 Oct) counts with the term before it: Autumn 1.
    deletion(a, "h", date(2025, 10, 30), late_school_days=5, removed_before_agreement=True)
    deletion(  # Autumn 2: destination named, lapsed
        a,
        "a",
        date(2025, 11, 20),
        destination_due=date(2025, 12, 4),
        destination_lapsed_at=datetime(2025, 12, 5, 9, tzinfo=UTC),
    )
    deletion(a, "i", date(2025, 11, 25))  # Autumn 2, agreed before removal
    deletion(a, "a", date(2025, 11, 26), destination_due=date(2026, 7, 20))  # awaiting
    deletion(  # confirmed: neither awaiting nor lapsed
        a,
        "a",
        date(2025, 12, 1),
        destination_due=date(2025, 12, 15),
        destination_confirmed_at=datetime(2025, 12, 10, 9, tzinfo=UTC),
    )
    deletion(a, "l", date(2026, 1, 20), intake_warnings=off_rolling_warnings)  # Spring 1
    deletion(a, "", date(2026, 1, 21), late_school_days=10)  # Spring 1, ground not stated
    deletion(a, "g", date(2025, 8, 31), late_school_days=40)  # 2024/25: not counted
    new_pupil(a, date(2025, 9, 3))
    new_pupil(a, date(2026, 6, 8))
    new_pupil(a, date(2025, 7, 1))  # 2024/25
    # School B: one return on time, one new pupil.
    deletion(b, "b", date(2026, 7, 22))
    new_pupil(b, date(2026, 4, 20))
    # School C: only last year.
    deletion(c, "h", date(2025, 3, 3), removed_before_agreement=True)
    return {"a": a, "b": b, "c": c}


# -- the figures -------------------------------------------------------------------------------


def test_the_list_counts_match_the_hand_made_history(
    history: dict[str, School], officer: User
) -> None:
    patterns = school_patterns(user=officer, year=YEAR)
    assert patterns is not None and patterns.terms_loaded
    assert [f.school for f in patterns.schools] == [history["a"], history["b"]]  # not C
    a, b = patterns.schools
    assert (a.deletions, a.late, a.median_days_late) == (8, 3, 5.0)
    assert (a.joint_enquiry, a.before_agreement) == (2, 1)
    assert (a.awaiting_destination, a.lapsed_destination) == (1, 1)
    assert (a.off_rolling, a.new_pupils, a.attention) == (1, 2, 3 + 1 + 1 + 1)
    assert (b.deletions, b.late, b.median_days_late) == (1, 0, None)
    assert (b.new_pupils, b.attention) == (1, 0)


def test_the_previous_year_has_its_own_figures(history: dict[str, School], officer: User) -> None:
    patterns = school_patterns(user=officer, year=YEAR - 1)
    assert patterns is not None
    by_urn = {f.school.urn: f for f in patterns.schools}
    assert set(by_urn) == {"104321", "104323"}
    assert (by_urn["104321"].deletions, by_urn["104321"].late) == (1, 1)
    assert by_urn["104321"].median_days_late == 40.0
    assert by_urn["104321"].new_pupils == 1
    assert by_urn["104323"].before_agreement == 1
    assert patterns.years[:3] == (2026, 2025, 2024)  # newest first, today's year included


def test_one_school_by_ground_and_term(history: dict[str, School], manager: User) -> None:
    detail = school_pattern_detail(user=manager, school=history["a"], year=YEAR)
    assert detail is not None
    names = [t.name for t in detail.terms]
    assert names == ["Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"]
    grid = {row.code: row.counts for row in detail.grounds}
    assert list(grid) == ["a", "g", "h", "i", "l", ""]  # the table's order, not stated last
    assert grid["a"] == (0, 3, 0, 0, 0, 0)
    assert grid["g"] == (1, 0, 0, 0, 0, 0)
    assert grid["h"] == (1, 0, 0, 0, 0, 0)  # the half-term removal
    assert grid["i"] == (0, 1, 0, 0, 0, 0)
    assert grid["l"] == (0, 0, 1, 0, 0, 0)
    assert grid[""] == (0, 0, 1, 0, 0, 0)
    assert detail.term_totals == (2, 4, 2, 0, 0, 0)
    assert detail.late_by_term == (2, 0, 1, 0, 0, 0)
    labels = {row.code: row.label for row in detail.grounds}
    assert labels[""] == "Ground not stated"
    assert labels["h"].startswith("(h) Not back within 10 school days")
    assert detail.figures.deletions == 8


def test_a_school_with_no_returns_shows_zeros(history: dict[str, School], officer: User) -> None:
    detail = school_pattern_detail(user=officer, school=history["c"], year=YEAR)
    assert detail is not None
    assert detail.grounds == () and detail.figures.deletions == 0
    assert detail.figures.attention == 0 and detail.term_totals == (0,) * 6


def test_a_year_without_term_dates_is_counted_whole(
    history: dict[str, School], officer: User
) -> None:
    deletion(history["a"], "g", date(2031, 10, 1))
    terms, loaded = term_columns(2031)
    assert not loaded and [t.name for t in terms] == ["2031/32"]
    detail = school_pattern_detail(user=officer, school=history["a"], year=2031)
    assert detail is not None and not detail.terms_loaded
    assert [(row.code, row.counts) for row in detail.grounds] == [("g", (1,))]


def test_equal_attention_goes_by_name(db: None, officer: User) -> None:
    for name in ("Waterloo Primary", "Ainsdale Primary"):
        deletion(SchoolFactory(name=name), "g", date(2025, 10, 1), late_school_days=2)
    patterns = school_patterns(user=officer, year=YEAR)
    assert patterns is not None
    assert [f.school.name for f in patterns.schools] == ["Ainsdale Primary", "Waterloo Primary"]


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median_of_counts({}) is None
    assert median_of_counts({3: 1, 5: 1}) == 4.0
    assert median_of_counts({1: 3, 9: 1}) == 1.0
    assert median_of_counts({2: 1, 4: 2, 30: 1}) == 4.0


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_no_one_outside_the_team_gets_figures(
    history: dict[str, School], persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    assert school_patterns(user=user, year=YEAR) is None
    assert school_pattern_detail(user=user, school=history["a"], year=YEAR) is None


# -- the pages ---------------------------------------------------------------------------------


def _urls(school: School) -> list[str]:
    return [
        reverse("referrals:school-patterns") + f"?year={YEAR}",
        reverse("referrals:school-pattern", args=[school.urn]) + f"?year={YEAR}",
        reverse("referrals:school-patterns-csv") + f"?year={YEAR}",
    ]


@pytest.mark.parametrize("persona", ["officer", "manager", "admin_user"])
def test_the_team_sees_the_pages(
    history: dict[str, School], persona: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    for url in _urls(history["a"]):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_are_refused(
    history: dict[str, School], persona: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    for url in _urls(history["a"]):
        assert client.get(url).status_code == 403, url


def test_the_schools_own_user_is_refused_too(history: dict[str, School]) -> None:
    org = OrganisationFactory(
        kind=Organisation.Kind.SCHOOL, name=history["a"].name, school=history["a"]
    )
    own = UserFactory(role=User.Role.SCHOOL_USER, organisation=org)
    client = client_for(own)
    for url in _urls(history["a"]):
        assert client.get(url).status_code == 403, url


def test_anyone_signed_out_is_sent_to_sign_in(history: dict[str, School]) -> None:
    for url in _urls(history["a"]):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_an_unknown_urn_is_404(history: dict[str, School], officer: User) -> None:
    response = client_for(officer).get(reverse("referrals:school-pattern", args=["999999"]))
    assert response.status_code == 404


def test_the_list_page_shows_the_figures_and_only_the_year_in_links(
    history: dict[str, School], officer: User
) -> None:
    response = client_for(officer).get(reverse("referrals:school-patterns") + f"?year={YEAR}")
    html = response.content.decode()
    assert "2 schools with returns in 2025/26" in html
    assert "Netherton Park Primary School" in html and "Crosby Vale" not in html
    detail_url = reverse("referrals:school-pattern", args=["104321"]) + f"?year={YEAR}"
    assert f'href="{detail_url}"' in html
    assert "Pupil" not in html  # no child's name anywhere
    assert '<option value="2025" selected>2025/26</option>' in html


def test_the_detail_page_shows_the_ground_by_term_table(
    history: dict[str, School], manager: User
) -> None:
    url = reverse("referrals:school-pattern", args=["104321"]) + f"?year={YEAR}"
    html = client_for(manager).get(url).content.decode()
    assert "Deletion returns by ground and term, 2025/26" in html
    assert "(h) Not back within 10 school days" in html and "Ground not stated" in html
    assert "Autumn 1" in html and "Summer 2" in html
    assert "Pupil" not in html


def test_the_nav_links_to_the_list_for_the_team_only(
    history: dict[str, School], officer: User, school_user: User
) -> None:
    link = f'href="{reverse("referrals:school-patterns")}"'
    assert link in client_for(officer).get(reverse("cases:dashboard")).content.decode()
    assert link not in client_for(school_user).get(reverse("referrals:mine")).content.decode()


# -- the CSV and the audit log -----------------------------------------------------------------


def _csv(user: User, year: int = YEAR) -> list[dict[str, str]]:
    response = client_for(user).get(reverse("referrals:school-patterns-csv") + f"?year={year}")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="school-patterns-{year}-{(year + 1) % 100:02d}.csv"'
    )
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_the_same_figures(history: dict[str, School], manager: User) -> None:
    rows = _csv(manager)
    assert [r["URN"] for r in rows] == ["104321", "104322"]
    a = rows[0]
    assert a["School"] == "Netherton Park Primary School"
    assert a["LAESTAB"] == "343/2001" and a["Academic year"] == "2025/26"
    assert {k: a[k] for k in list(a)[4:]} == {
        "Deletion returns": "8",
        "Late returns": "3",
        "Median school days late": "5",
        "(h)/(i) returns": "2",
        "(h)/(i) removed before LA agreement": "1",
        "Destinations awaiting confirmation": "1",
        "Destinations lapsed": "1",
        "Possible off-rolling flags": "1",
        "New-pupil returns": "2",
        "Attention total": "6",
    }
    assert rows[1]["Median school days late"] == ""


def test_the_csv_neutralises_formulas(db: None, officer: User) -> None:
    deletion(SchoolFactory(name='=HYPERLINK("http://example.invalid")'), "g", date(2025, 10, 1))
    (row,) = _csv(officer)
    assert row["School"] == "'" + '=HYPERLINK("http://example.invalid")'


def test_the_csv_and_a_schools_page_are_recorded_as_accesses(
    history: dict[str, School], manager: User
) -> None:
    school_type = ContentType.objects.get_for_model(School)
    _csv(manager)
    entries = LogEntry.objects.filter(content_type=school_type, action=LogEntry.Action.ACCESS)
    assert sorted(e.object_pk for e in entries) == sorted(str(history[k].pk) for k in ("a", "b"))
    assert {e.actor for e in entries} == {manager}
    assert {e.additional_data["view"] for e in entries} == {"school patterns CSV"}
    assert {e.additional_data["academic_year"] for e in entries} == {"2025/26"}
    client_for(manager).get(reverse("referrals:school-pattern", args=["104323"]))
    latest = LogEntry.objects.filter(content_type=school_type).latest("pk")
    assert latest.object_pk == str(history["c"].pk) and latest.actor == manager
    assert latest.additional_data["view"] == "school patterns page"


# -- speed -------------------------------------------------------------------------------------


def _schools_with_returns(n: int) -> None:
    for i in range(n):
        school = SchoolFactory()
        deletion(school, "h", date(2025, 10, 1), late_school_days=i + 1)
        deletion(school, "a", date(2026, 2, 1), destination_due=date(2026, 3, 1))
        new_pupil(school, date(2025, 9, 10))


def _queries(user: User, url: str) -> int:
    client = client_for(user)
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_make_the_same_queries_for_2_schools_or_40(
    db: None, officer: User, django_assert_max_num_queries: Any
) -> None:
    term_dates_load_bundled()
    _schools_with_returns(2)
    few = school_patterns(user=officer, year=YEAR)
    assert few is not None
    list_url = reverse("referrals:school-patterns") + f"?year={YEAR}"
    csv_url = reverse("referrals:school-patterns-csv") + f"?year={YEAR}"
    counts_few = (_queries(officer, list_url), _queries(officer, csv_url))
    _schools_with_returns(38)
    counts_many = (_queries(officer, list_url), _queries(officer, csv_url))
    assert counts_many == counts_few
    with django_assert_max_num_queries(7):  # terms, deletions, late days, new pupils, schools,
        patterns = school_patterns(user=officer, year=YEAR)  # and the years' two
    assert patterns is not None and len(patterns.schools) == 40
    with django_assert_max_num_queries(8):
        school_pattern_detail(user=officer, school=patterns.schools[0].school, year=YEAR)
