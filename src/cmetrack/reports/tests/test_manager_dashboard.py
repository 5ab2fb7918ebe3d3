"""The managers' dashboard: hand-computed figures on a small world, who may see it, the period
filter's errors, the exports (formulas neutralised, each one audited) and its query count."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent, MissingReason, Task
from cmetrack.children.models import ChildFlag
from cmetrack.conftest import client_for
from cmetrack.referrals.models import DeletionReturn, Kind
from cmetrack.reports.dashboard_forms import PeriodForm
from cmetrack.reports.dashboard_selectors import (
    PLACEMENT_BANDS,
    Dashboard,
    Period,
    manager_dashboard,
    placement_band,
)
from cmetrack.schools.models import School
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    SchoolFactory,
    UserFactory,
    flag_type,
    reason,
)

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
TODAY = date(2026, 11, 15)
# A period still running on TODAY: its breakdowns stand at TODAY.
RUNNING = Period(date(2026, 6, 1), date(2026, 11, 30))
# When the world's flags, tasks and returns were recorded (their own timestamps).
RECORDED = datetime(2026, 1, 15, 12, tzinfo=UTC)


def figures(dashboard: Dashboard, key: str) -> dict[str, tuple[int, ...]]:
    return {row.label: row.values for row in dashboard.table(key).rows}


def placed(case: Case, on: date) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.STATUS_CHANGED,
        occurred_at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
        payload={"from": "enquiries", "to": "placed"},
    )


def deletion(school: School, on: date, **fields: Any) -> DeletionReturn:
    return DeletionReturn.objects.create(
        kind=Kind.DELETION,
        school=school,
        ground="a",
        deletion_date=on,
        forenames="Test",
        surname="Pupil",
        **fields,
    )


@pytest.fixture
def ehe_officer(la_team: Any) -> User:
    return UserFactory(role=User.Role.EHE_OFFICER, organisation=la_team)


@pytest.fixture
def world(db: None, la_team: Any) -> dict[str, Any]:
    with time_machine.travel(RECORDED, tick=False):
        return _world(la_team)


def _world(la_team: Any) -> dict[str, Any]:
    alder = SchoolFactory(name="Alder School")
    birch = SchoolFactory(name="Birch School")
    cedar = SchoolFactory(name="Cedar School")
    amy = UserFactory(first_name="Amy", last_name="Officer", organisation=la_team)
    ben = UserFactory(first_name="Ben", last_name="Officer", organisation=la_team)

    # A: open since January; Year 8 on TODAY; L20; a child protection plan; Alder.
    a = CaseFactory(
        referral_date=date(2026, 1, 10),
        status="enquiries",
        last_school=alder,
        child__date_of_birth=date(2014, 1, 10),
    )
    AddressFactory(child=a.child, postcode="L20 7AE")
    ChildFlag.objects.create(child=a.child, flag_type=flag_type())
    # B: referred in February, placed after 30 days, closed in April.
    b = CaseFactory(
        referral_date=date(2026, 2, 5),
        status="closed",
        outcome="on_roll_here",
        closed_on=date(2026, 4, 20),
    )
    placed(b, date(2026, 3, 7))
    # C: referred in December, first placed after 35 days (and again in May), still open;
    # Year 3; no address; a flag since removed.
    c = CaseFactory(
        referral_date=date(2025, 12, 1), status="placed", child__date_of_birth=date(2019, 5, 5)
    )
    placed(c, date(2026, 1, 5))
    placed(c, date(2026, 5, 1))
    ChildFlag.objects.create(child=c.child, flag_type=flag_type(), removed_at=timezone.now())
    # D: referred in March, placed after 3 days; Year 7; moved from L20 to L30; Alder.
    d = CaseFactory(
        referral_date=date(2026, 3, 1),
        status="placed",
        last_school=alder,
        primary_reason=reason("moved-abroad-believed"),
    )
    placed(d, date(2026, 3, 4))
    AddressFactory(child=d.child, postcode="L20 1AB", date_to=date(2026, 2, 1))
    AddressFactory(child=d.child, postcode="L30 1AA")
    ChildFlag.objects.create(child=d.child, flag_type=flag_type())
    # E: referred after the period; excluded; Birch; no address.
    e = CaseFactory(
        referral_date=date(2026, 7, 10),
        status="referred",
        last_school=birch,
        primary_reason=reason("excluded"),
    )
    # F: closed before the period.
    CaseFactory(
        referral_date=date(2025, 10, 1),
        status="closed",
        outcome="on_roll_here",
        closed_on=date(2025, 11, 30),
    )

    def task(case: Case, due: date, who: User | None, **fields: Any) -> Task:
        return Task.objects.create(
            case=case, kind="manual", title="Call", due_on=due, assigned_to=who, **fields
        )

    task(a, date(2026, 11, 1), amy)
    task(a, date(2026, 11, 14), amy)
    task(d, date(2026, 10, 1), amy)
    task(a, TODAY, amy)  # due today: not overdue
    task(a, date(2026, 10, 1), amy, done_at=timezone.now())  # done
    task(b, date(2026, 4, 1), amy)  # on a closed case
    task(c, date(2026, 11, 1), ben)
    task(e, date(2026, 11, 1), None)

    # School returns, academic year 2025/26 (the period ends in June 2026).
    deletion(alder, date(2026, 3, 1), late_school_days=3)
    deletion(alder, date(2026, 3, 2))
    deletion(birch, date(2026, 2, 1), destination_due=date(2026, 3, 1))
    deletion(cedar, date(2026, 2, 1))  # on time and settled: not listed
    return {"alder": alder, "birch": birch, "a": a, "c": c, "d": d, "amy": amy}


@pytest.fixture
def dashboard(world: dict[str, Any], manager: User) -> Dashboard:
    found = manager_dashboard(user=manager, period=PERIOD, today=TODAY)
    assert found is not None
    return found


@pytest.fixture
def running(world: dict[str, Any], manager: User) -> Dashboard:
    found = manager_dashboard(user=manager, period=RUNNING, today=TODAY)
    assert found is not None
    return found


def test_open_cases_at_each_month_end_count_referred_and_not_yet_closed(
    dashboard: Dashboard,
) -> None:
    assert figures(dashboard, "open-over-time") == {
        "31 Jan 2026": (2,),  # A, C
        "28 Feb 2026": (3,),  # and B
        "31 Mar 2026": (4,),  # and D
        "30 Apr 2026": (3,),  # B closed on 20 April
        "31 May 2026": (3,),
        "30 Jun 2026": (3,),
    }


def test_referrals_and_closures_are_counted_in_their_month(dashboard: Dashboard) -> None:
    assert figures(dashboard, "referrals-closures") == {
        "Jan 2026": (1, 0),
        "Feb 2026": (1, 0),
        "Mar 2026": (1, 0),
        "Apr 2026": (0, 1),
        "May 2026": (0, 0),
        "Jun 2026": (0, 0),
    }


def test_days_to_placement_use_each_cases_first_placement(dashboard: Dashboard) -> None:
    # B 30 days, C 35 (its second placement in May ignored), D 3: the median is 30.
    assert dashboard.median_days_to_placement == 30
    assert figures(dashboard, "days-to-placement") == {
        "Up to 1 week (0 to 7 days)": (1,),
        "1 to 4 weeks (8 to 28 days)": (0,),
        "4 to 8 weeks (29 to 56 days)": (2,),
        "8 to 13 weeks (57 to 91 days)": (0,),
        "More than 13 weeks (92 days or more)": (0,),
    }


def test_placement_outside_the_period_is_not_counted(world: Any, manager: User) -> None:
    found = manager_dashboard(
        user=manager, period=Period(date(2026, 4, 1), date(2026, 6, 30)), today=TODAY
    )
    assert found is not None
    assert found.median_days_to_placement is None
    assert found.table("days-to-placement").total() == 0


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "Up to 1 week (0 to 7 days)"),
        (7, "Up to 1 week (0 to 7 days)"),
        (8, "1 to 4 weeks (8 to 28 days)"),
        (91, "8 to 13 weeks (57 to 91 days)"),
        (92, "More than 13 weeks (92 days or more)"),
    ],
)
def test_placement_bands_include_their_upper_day(days: int, band: str) -> None:
    assert placement_band(days) == band


def test_while_the_period_runs_the_breakdowns_stand_today(
    running: Dashboard,
) -> None:
    dashboard = running
    assert dashboard.as_of == TODAY
    unknown = MissingReason.objects.get(code="whereabouts-unknown").label
    abroad = MissingReason.objects.get(code="moved-abroad-believed").label
    assert dashboard.open_now == 4  # A, C, D, E
    assert figures(dashboard, "open-by-reason") == {
        unknown: (2,),
        abroad: (1,),
        "Excluded": (1,),
    }
    assert figures(dashboard, "open-by-flag") == {flag_type().label: (2,)}  # C's was removed
    alder, birch = School.objects.get(name="Alder School"), School.objects.get(name="Birch School")
    assert figures(dashboard, "open-by-school") == {
        f"Alder School ({alder.urn})": (2,),
        f"Birch School ({birch.urn})": (1,),
        "No last school recorded": (1,),
    }
    assert figures(dashboard, "open-by-year-group") == {
        "Year 3": (1,),
        "Year 7": (2,),
        "Year 8": (1,),
    }
    assert figures(dashboard, "open-by-district") == {
        "L20": (1,),
        "L30": (1,),  # D's earlier L20 address has ended
        "No current postcode": (2,),
    }


def test_overdue_tasks_per_officer_are_open_tasks_on_open_cases_due_before_today(
    running: Dashboard,
) -> None:
    assert figures(running, "overdue-by-officer") == {
        "Amy Officer": (3, 2),
        "Ben Officer": (1, 1),
        "Not assigned": (1, 1),
    }


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def test_a_past_period_shows_the_breakdowns_as_they_stood_at_its_end(
    world: dict[str, Any], manager: User
) -> None:
    """Everything here changed after 30 June 2026: the breakdowns must show that day, not
    today."""
    a, c, d, amy = world["a"], world["c"], world["d"], world["amy"]
    excluded, unknown = reason("excluded"), reason("whereabouts-unknown")
    # A's main reason changed in August.
    CaseEvent.objects.create(
        case=a,
        kind=EventKind.PRIMARY_REASON_CHANGED,
        occurred_at=_at(date(2026, 8, 1)),
        payload={"from": unknown.code, "to": excluded.code},
    )
    Case.objects.filter(pk=a.pk).update(primary_reason=excluded)
    # C's flag was added in September.
    with time_machine.travel(_at(date(2026, 9, 1)), tick=False):
        ChildFlag.objects.create(child=c.child, flag_type=flag_type("child-in-need"))
    # A moved from L20 to L21 in August.
    a.child.addresses.update(date_to=date(2026, 8, 1))
    AddressFactory(child=a.child, postcode="L21 4AA", date_from=date(2026, 8, 1))
    # G was open on 30 June and closed in August.
    birch = world["birch"]
    CaseFactory(
        referral_date=date(2026, 2, 1),
        status="closed",
        outcome="on_roll_here",
        closed_on=date(2026, 8, 1),
        last_school=birch,
    )
    # Overdue on 30 June, done in July; and one cancelled before it fell due.
    with time_machine.travel(_at(date(2026, 2, 1)), tick=False):
        Task.objects.create(
            case=a, kind="manual", title="Visit", due_on=date(2026, 5, 1), assigned_to=amy
        )
        cancelled = Task.objects.create(
            case=d, kind="manual", title="Visit", due_on=date(2026, 6, 1), assigned_to=amy
        )
    Task.objects.filter(title="Visit", case=a).update(done_at=_at(date(2026, 7, 10)))
    Task.objects.filter(pk=cancelled.pk).update(cancelled_at=_at(date(2026, 5, 20)))

    then = manager_dashboard(user=manager, period=PERIOD, today=TODAY)
    assert then is not None and then.as_of == date(2026, 6, 30)
    abroad = reason("moved-abroad-believed").label
    assert figures(then, "open-by-reason") == {unknown.label: (3,), abroad: (1,)}
    assert figures(then, "open-by-flag") == {flag_type().label: (2,)}
    alder = world["alder"]
    assert figures(then, "open-by-school") == {
        f"Alder School ({alder.urn})": (2,),
        f"Birch School ({birch.urn})": (1,),
        "No last school recorded": (1,),
    }
    assert figures(then, "open-by-year-group") == {"Year 2": (1,), "Year 6": (2,), "Year 7": (1,)}
    assert figures(then, "open-by-district") == {
        "L20": (1,),
        "L30": (1,),
        "No current postcode": (2,),
    }
    assert figures(then, "overdue-by-officer") == {"Amy Officer": (1, 1)}

    # The same world today: each of those changes shows.
    now = manager_dashboard(user=manager, period=RUNNING, today=TODAY)
    assert now is not None
    assert figures(now, "open-by-reason")[excluded.label] == (2,)  # A and E
    assert figures(now, "open-by-flag") == {
        flag_type().label: (2,),
        flag_type("child-in-need").label: (1,),
    }
    assert figures(now, "open-by-district")["L21"] == (1,)
    assert figures(now, "overdue-by-officer")["Amy Officer"] == (3, 2)


def test_school_returns_are_the_school_patterns_late_and_unconfirmed_figures(
    dashboard: Dashboard, world: dict[str, Any]
) -> None:
    assert dashboard.school_year_label == "2025/26"
    alder, birch = world["alder"], world["birch"]
    assert [(r.label, r.values) for r in dashboard.table("school-returns").rows] == [
        (f"Alder School ({alder.urn})", (2, 1, 0, 0)),
        (f"Birch School ({birch.urn})", (1, 0, 1, 0)),
    ]


def _queries(manager: User, period: Period) -> int:
    with CaptureQueriesContext(connection) as queries:
        manager_dashboard(user=manager, period=period, today=TODAY)
    return len(queries)


@pytest.mark.parametrize("period", [PERIOD, RUNNING], ids=["past", "running"])
def test_the_figures_are_read_in_few_queries_whatever_the_world(
    world: Any, manager: User, period: Period
) -> None:
    """The same number of queries however many cases, and whatever history they carry: the
    breakdowns "as of" a day read reason changes, flags, addresses and tasks a query each."""
    before = _queries(manager, period)
    assert before <= 22
    amy = world["amy"]
    for _ in range(5):
        case = CaseFactory(referral_date=date(2026, 2, 1), status="placed")
        placed(case, date(2026, 3, 1))
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.PRIMARY_REASON_CHANGED,
            occurred_at=_at(date(2026, 4, 1)),
            payload={"from": "whereabouts-unknown", "to": "excluded"},
        )
        ChildFlag.objects.create(child=case.child, flag_type=flag_type())
        AddressFactory(child=case.child, postcode="L21 4AA", date_from=date(2026, 1, 1))
        Task.objects.create(
            case=case, kind="manual", title="Visit", due_on=date(2026, 3, 1), assigned_to=amy
        )
    assert _queries(manager, period) == before


@pytest.mark.parametrize("persona", ["officer", "school_user", "agency_user", "outsider"])
def test_the_selector_gives_nothing_to_anyone_but_managers(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    assert manager_dashboard(user=user, period=PERIOD, today=TODAY) is None


# --- the period filter ------------------------------------------------------------------


def test_no_period_asked_for_is_the_twelve_months_to_this_one() -> None:
    form = PeriodForm({}, today=TODAY)
    assert form.is_valid()
    assert form.period == Period(date(2025, 12, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": "2026-13"}, "Choose a month from the list"),
        ({"start": "2019-01"}, "Choose a month from the list"),  # before the list starts
        ({"end": "2027-01"}, "Choose a month from the list"),  # after this month
        ({"start": "x\x00"}, "Choose a month from the list"),
        ({"start": "2026-05", "end": "2026-04"}, "The start month must be the same as or before"),
        ({"start": "2022-01", "end": "2026-01"}, "Choose a period of 36 months or fewer"),
    ],
)
def test_a_period_it_cannot_use_is_a_clear_error(data: dict[str, str], message: str) -> None:
    form = PeriodForm(data, today=TODAY)
    assert not form.is_valid()
    assert any(str(m).startswith(message) for ms in form.errors.values() for m in ms)
    assert form.period == Period(date(2025, 12, 1), date(2026, 11, 30))


# --- the page and its exports -------------------------------------------------------------


URL = "/reports/dashboard/"


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_administrators_see_the_page_with_charts_and_tables(
    persona: str, world: Any, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("reports:dashboard"), {"start": "2026-01", "end": "2026-06"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open cases at each month end" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Alder School" in html


@pytest.mark.parametrize(
    "persona", ["officer", "school_user", "agency_user", "outsider", "ehe_officer"]
)
@pytest.mark.parametrize("path", [URL, URL + "export/open-by-reason.csv", URL + "export/all.xlsx"])
def test_everyone_else_is_refused(
    persona: str, path: str, world: Any, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(path)
    assert response.status_code == 403
    assert not LogEntry.objects.filter(additional_data__view="manager dashboard export").exists()


@pytest.mark.parametrize("path", [URL, URL + "export/open-by-reason.csv"])
def test_anonymous_is_sent_to_sign_in(path: str, db: None) -> None:
    response = client_for(None).get(path)
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_a_bad_period_shows_the_error_and_the_default_figures(manager: User, world: Any) -> None:
    response = client_for(manager).get(URL, {"start": "2026-05", "end": "2026-04"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "The start month must be the same as or before the end month" in html


def test_a_bad_period_gives_no_file(manager: User, world: Any) -> None:
    response = client_for(manager).get(URL + "export/open-by-reason.csv", {"start": "nope"})
    assert "attachment" not in response.get("Content-Disposition", "")
    assert "Choose a month from the list" in response.content.decode()
    assert not LogEntry.objects.filter(additional_data__view="manager dashboard export").exists()


def test_an_unknown_breakdown_or_format_is_404(manager: User, db: None) -> None:
    client = client_for(manager)
    assert client.get(URL + "export/nothing.csv").status_code == 404
    assert client.get(URL + "export/open-by-reason.pdf").status_code == 404
    assert client.get(URL + "export/all.csv").status_code == 404


def test_csv_export_has_the_tables_figures_with_formulas_neutralised_and_is_audited(
    manager: User, world: Any
) -> None:
    SchoolFactory(name="=HYPERLINK(1)")
    CaseFactory(
        last_school=School.objects.get(name="=HYPERLINK(1)"),
        status="referred",
        referral_date=date(2026, 3, 1),
    )
    response = client_for(manager).get(
        URL + "export/open-by-school.csv", {"start": "2026-01", "end": "2026-06"}
    )
    assert response.status_code == 200
    assert (
        'filename="dashboard-open-by-school-2026-01-to-2026-06.csv"'
        in (response["Content-Disposition"])
    )
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Open cases on 30 June 2026 by last school"]
    assert rows[1] == ["Period: January 2026 to June 2026"]
    assert rows[2] == ["Last school", "Open cases"]
    labels = {row[0]: row[1] for row in rows[3:]}
    assert labels["No last school recorded"] == "1"
    assert any(label.startswith("'=HYPERLINK(1)") for label in labels)
    [entry] = LogEntry.objects.filter(additional_data__view="manager dashboard export")
    assert entry.actor == manager
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.additional_data == {
        "view": "manager dashboard export",
        "breakdown": "open-by-school",
        "format": "csv",
        "period": "January 2026 to June 2026",
        "as_of": "2026-06-30",
        "lists": ["Open cases on 30 June 2026 by last school"],
        "rows": len(rows) - 3,
        "personal_columns": False,
    }


def test_xlsx_export_has_a_sheet_per_breakdown_and_is_audited(manager: User, world: Any) -> None:
    response = client_for(manager).get(
        URL + "export/all.xlsx", {"start": "2026-01", "end": "2026-06"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 10
    sheet = book["open-over-time"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Open cases at each month end", None]
    assert values[2] == ["Month end", "Open cases"]
    assert values[3:] == [
        ["31 Jan 2026", 2],
        ["28 Feb 2026", 3],
        ["31 Mar 2026", 4],
        ["30 Apr 2026", 3],
        ["31 May 2026", 3],
        ["30 Jun 2026", 3],
    ]
    [entry] = LogEntry.objects.filter(additional_data__view="manager dashboard export")
    assert entry.additional_data["breakdown"] == "all"
    assert entry.additional_data["format"] == "xlsx"


def test_the_page_views_no_child_record(manager: User, world: Any) -> None:
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    client_for(manager).get(URL)
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before


@given(start=st.text(max_size=12), end=st.text(max_size=12))
def test_any_text_for_the_period_is_a_period_or_an_error_never_a_crash(
    start: str, end: str
) -> None:
    form = PeriodForm({"start": start, "end": end}, today=TODAY)
    period = form.period
    assert period.first <= period.last
    assert form.is_valid() or form.errors


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_a_longer_wait_is_never_in_an_earlier_band(shorter: int, longer: int) -> None:
    shorter, longer = sorted((shorter, longer))
    labels = [band.label for band in PLACEMENT_BANDS]
    assert labels.index(placement_band(shorter)) <= labels.index(placement_band(longer))
