"""The dashboards and queues can use the indexes made for them (PostgreSQL's planner says so).

benchmarks/load/explain_queries.py shows on 50,000 cases that these indexes are used and what
they save; here a small register is enough to ask the planner whether it *can* use each one:
with sequential scans and sorts switched off for the test's own transaction, the cheapest plan
left for a query is the index that fits it. The search by name is the exception: its test makes
20,000 children, enough for the planner to choose the trigram indexes by itself. A change that
drops one of the indexes, or reshapes a selector's query so that its index no longer fits,
fails here. No timing is measured.
"""

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.filters import CaseFilter
from cmetrack.cases.models import Case, Task
from cmetrack.cases.selectors import case_list, dashboard_figures
from cmetrack.cases.status import Status
from cmetrack.cases.task_selectors import task_counts, tasks_in_window
from cmetrack.children.models import Child, OtherName
from cmetrack.referrals.models import NewPupilReturn
from cmetrack.referrals.selectors import my_submissions
from cmetrack.testing.factories import SchoolFactory, UserFactory, reason

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans are PostgreSQL's: set DATABASE_URL to a PostgreSQL database to run",
)

STATUSES = [Status.REFERRED, Status.ENQUIRIES, Status.LOCATED, Status.PLACED, Status.UNTRACED]


@pytest.fixture
def register(officer: User, school_user: User) -> dict[str, Any]:
    """A register shaped like one in use, small: 1,200 cases, half of them closed, four tasks
    a case of which most are done, and two schools' returns. The proportions matter, not the
    size: an index on open cases only pays where most cases are closed. Then sequential scans
    and sorts are switched off for this transaction."""
    colleague = UserFactory(role=User.Role.CME_OFFICER, organisation=officer.organisation)
    today = timezone.localdate()
    now = timezone.now()
    children = Child.objects.bulk_create(
        [Child(forenames="Test", surname=f"Child{i}") for i in range(1200)]
    )
    statuses = [*STATUSES, Status.CLOSED, Status.CLOSED, Status.CLOSED, Status.CLOSED]
    cases = Case.objects.bulk_create(
        [
            Case(
                child=child,
                status=(status := statuses[i % len(statuses)]),
                outcome="not_cme" if status == Status.CLOSED else "",
                closed_on=today if status == Status.CLOSED else None,
                primary_reason=reason(),
                referral_source="school",
                assigned_to=officer if i % 10 == 0 else colleague,
                referral_date=today - timedelta(days=i % 300),
            )
            for i, child in enumerate(children)
        ]
    )
    Task.objects.bulk_create(
        [
            Task(
                case=case,
                kind="manual",
                title=f"Task {n}",
                due_on=today + timedelta(days=due),
                assigned_to=case.assigned_to,
                # Open: the future ones and one in eight of the rest, as officers work them.
                done_at=None if due > 0 or (i + n) % 8 == 0 else now,
            )
            for i, case in enumerate(cases)
            for n, due in enumerate((-30, -3, 0, 2))
        ]
    )
    organisation = school_user.organisation
    assert organisation is not None
    other = SchoolFactory()
    other_org = Organisation.objects.create(kind="school", name=other.name, school=other)
    for org in [organisation, other_org, other_org]:
        for i in range(20):
            NewPupilReturn.objects.create(
                kind="new_pupil",
                surname=f"Pupil{i}",
                start_date=today,
                organisation=org,
                school=org.school,
                received_at=now - timedelta(hours=i),
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # allowed in a transaction; gives the planner true counts
        # A register this small is sorted in memory faster than read in order, so sorts are
        # switched off too: what is left is the plan that reads the rows in the order asked.
        for setting in ("enable_seqscan", "enable_sort", "enable_incremental_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
    return {"officer": officer, "school_user": school_user}


def _explain_sql(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_case_list_pages_through_its_default_order_by_index(register: dict[str, Any]) -> None:
    plan = case_list(user=register["officer"])[25:50].explain()
    assert "case_list_order_idx" in plan, plan
    newest = dashboard_figures(user=register["officer"]).newest_referrals.explain()
    assert "case_list_order_idx" in newest, newest


def test_an_officers_open_cases_come_from_the_open_cases_index(register: dict[str, Any]) -> None:
    plan = dashboard_figures(user=register["officer"]).my_open_cases.explain()
    assert "case_open_by_officer_idx" in plan, plan


# "today" is left out of the list tests: with one due date the list's order is the key's, and
# on a register this small the planner may as well read the table in key order.
def test_the_team_task_windows_read_only_open_tasks(register: dict[str, Any]) -> None:
    for window in ("overdue", "week"):
        plan = tasks_in_window(user=register["officer"], window=window, mine=False)[:500].explain()
        assert "task_open_due_idx" in plan, (window, plan)


def test_my_task_windows_read_only_my_open_tasks(register: dict[str, Any]) -> None:
    for window in ("overdue", "week"):
        plan = tasks_in_window(user=register["officer"], window=window, mine=True)[:500].explain()
        assert "task_open_officer_due_idx" in plan, (window, plan)


def test_the_task_counts_are_one_query_on_the_open_task_indexes(
    register: dict[str, Any],
) -> None:
    for mine, index in ((False, "task_open_due_idx"), (True, "task_open_officer_due_idx")):
        with CaptureQueriesContext(connection) as captured:
            counts = task_counts(user=register["officer"], mine=mine)
        (query,) = captured.captured_queries
        plan = _explain_sql(query["sql"])
        assert index in plan, plan
        expected = [
            tasks_in_window(user=register["officer"], window=w, mine=mine).count()
            for w in ("overdue", "today", "week")
        ]
        assert [counts.overdue, counts.today, counts.week] == expected


def test_cases_are_counted_by_status_from_the_status_index(
    register: dict[str, Any],
) -> None:
    with CaptureQueriesContext(connection) as captured:
        dashboard_figures(user=register["officer"])
    (by_status,) = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    plan = _explain_sql(by_status)
    assert "case_status_id_idx" in plan, plan


def test_a_schools_submissions_page_by_index(register: dict[str, Any]) -> None:
    plan = my_submissions(user=register["school_user"])[:25].explain()
    assert "submission_org_newest_idx" in plan, plan


# --- the search by name: pg_trgm indexes (children/migrations/0005_child_name_trigram.py) ----


@pytest.fixture
def named_register(db: None) -> str:
    """20,000 children with made-up names (a quarter with another name too), 2,000 of them
    with a case: enough rows that the planner, left to itself (sequential scans allowed),
    reads the names through the trigram indexes rather than the whole tables. Returns a word
    to search for: the middle of one child's surname."""
    rng = random.Random(12)

    def name() -> str:
        return "".join(
            rng.choice("bcdfghjklmnprstvwz") + rng.choice("aeiou") for _ in range(rng.randint(3, 5))
        ).capitalize()

    children = Child.objects.bulk_create(
        [Child(forenames=name(), surname=name()) for _ in range(20000)]
    )
    OtherName.objects.bulk_create(
        [OtherName(child=c, forenames=name(), surname=name()) for c in children[::4]]
    )
    Case.objects.bulk_create(
        [
            Case(
                child=child,
                primary_reason=reason(),
                referral_source="school",
                referral_date=timezone.localdate(),
            )
            for child in children[:2000]
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE children_child, children_othername, cases_case")
        # Rows inserted since a GIN index was built wait in its pending list, which the planner
        # costs as a scan; VACUUM (autovacuum, on a register in use) moves them into the index.
        # A test's transaction cannot VACUUM, but can do that one step.
        for index in TRIGRAM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    return children[7].surname[1:6]


TRIGRAM_INDEXES = [
    "child_forenames_trgm_idx",
    "child_surname_trgm_idx",
    "othername_forenames_trgm_idx",
    "othername_surname_trgm_idx",
]


def test_the_search_by_name_reads_the_trigram_indexes(named_register: str, officer: User) -> None:
    word = named_register
    # The search as the case list runs it: CaseFilter's search box over case_list.
    searched = CaseFilter({"q": word}, queryset=case_list(user=officer)).qs
    plan = searched.explain()
    for index in TRIGRAM_INDEXES:
        assert index in plan, plan
    names = Q(forenames__icontains=word) | Q(surname__icontains=word)
    expected = set(
        Case.objects.filter(
            Q(child__in=Child.objects.filter(names))
            | Q(child__in=OtherName.objects.filter(names).values("child"))
        ).values_list("pk", flat=True)
    )
    assert expected and set(searched.values_list("pk", flat=True)) == expected
