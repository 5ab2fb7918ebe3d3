"""Long lists page or cap: the team's tasks, the dashboard's escalations, the case list's filters.

On a register of 50,000 cases these pages rendered every row (docs/benchmarks.md): the team's
task list up to 500, the dashboard every unresolved escalation. Now the tasks page a page at a
time (25, the case list's size, with the same pagination component), the dashboard shows the
oldest escalations and links to the case list of them all, and the case list's filter form
costs the same few queries however many schools, officers, reasons and flags there are.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, Escalation, Task
from cmetrack.cases.views.pages import DASHBOARD_ESCALATIONS, PAGE_SIZE
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory, SchoolFactory, UserFactory


def _tasks(case: Case, n: int, *, due_in: int, officer: User | None, title: str) -> None:
    today = timezone.localdate()
    Task.objects.bulk_create(
        [
            Task(
                case=case,
                kind="manual",
                title=f"{title} {i:03d}",
                due_on=today + timedelta(days=due_in),
                assigned_to=officer,
            )
            for i in range(n)
        ]
    )


def _shown_tasks(html: str, title: str) -> list[str]:
    return re.findall(rf"{title} \d{{3}}", html)


# --- the tasks page --------------------------------------------------------------------------


def test_the_teams_overdue_tasks_come_a_page_at_a_time_with_the_whole_count(
    officer: User,
) -> None:
    _tasks(CaseFactory(), PAGE_SIZE + 5, due_in=-2, officer=None, title="Chase school")
    client = client_for(officer)
    first = client.get(reverse("cases:tasks"), {"show": "overdue", "who": "team"})
    html = first.content.decode()
    assert len(_shown_tasks(html, "Chase school")) == PAGE_SIZE
    assert f"Overdue ({PAGE_SIZE + 5})" in html  # the window's count is of all, not the page
    assert f"Showing 1 to {PAGE_SIZE} of {PAGE_SIZE + 5} tasks" in html
    assert 'class="govuk-pagination"' in html
    # The next-page link keeps the window and whose tasks; the second page has the rest.
    assert "?show=overdue&amp;who=team&amp;page=2" in html
    second = client.get(reverse("cases:tasks"), {"show": "overdue", "who": "team", "page": "2"})
    rest = _shown_tasks(second.content.decode(), "Chase school")
    assert len(rest) == 5
    assert not set(rest) & set(_shown_tasks(html, "Chase school"))


def test_paging_my_tasks_shows_only_mine_on_every_page(officer: User) -> None:
    colleague = UserFactory(role=User.Role.CME_OFFICER, organisation=officer.organisation)
    case = CaseFactory()
    _tasks(case, PAGE_SIZE + 1, due_in=-1, officer=officer, title="Mine")
    _tasks(case, 3, due_in=-1, officer=colleague, title="Theirs")
    client = client_for(officer)
    pages = [
        client.get(reverse("cases:tasks"), {"show": "overdue", "who": "me", "page": n})
        for n in (1, 2)
    ]
    shown = [_shown_tasks(p.content.decode(), "Mine") for p in pages]
    assert [len(s) for s in shown] == [PAGE_SIZE, 1]
    assert not any("Theirs" in p.content.decode() for p in pages)
    assert "?show=overdue&amp;who=me&amp;page=1" in pages[1].content.decode()


def test_a_short_task_list_has_no_pagination(officer: User) -> None:
    _tasks(CaseFactory(), 2, due_in=0, officer=officer, title="Visit")
    html = client_for(officer).get(reverse("cases:tasks"), {"show": "today"}).content.decode()
    assert len(_shown_tasks(html, "Visit")) == 2
    assert "govuk-pagination" not in html


def test_a_page_past_the_end_of_the_tasks_shows_the_last_page(officer: User) -> None:
    _tasks(CaseFactory(), PAGE_SIZE + 2, due_in=-1, officer=officer, title="Call")
    response = client_for(officer).get(reverse("cases:tasks"), {"page": 99})
    assert response.status_code == 200
    assert len(_shown_tasks(response.content.decode(), "Call")) == 2


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_page_the_team_tasks(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("cases:tasks"), {"who": "team", "page": "2"})
    assert response.status_code == 403


# --- the dashboard's escalations -------------------------------------------------------------


def _escalate(case: Case, n: int, *, days_ago: int = 0, label: str = "Looked after") -> None:
    raised = timezone.now() - timedelta(days=days_ago)
    Escalation.objects.bulk_create(
        [
            Escalation(
                case=case,
                trigger_code=f"trigger-{i}",  # one unresolved escalation a trigger
                trigger_label=f"{label} {i:03d}",
                raised_at=raised - timedelta(minutes=i),
                due_on=raised.date(),
            )
            for i in range(n)
        ]
    )


def test_the_dashboard_shows_the_oldest_escalations_and_counts_them_all(officer: User) -> None:
    busy, other = CaseFactory(), CaseFactory()
    _escalate(busy, DASHBOARD_ESCALATIONS + 3, days_ago=1, label="Newer")
    _escalate(other, 2, days_ago=30, label="Oldest")
    resolved = CaseFactory()
    _escalate(resolved, 4, label="Resolved")
    Escalation.objects.filter(case=resolved).update(
        resolved_at=timezone.now(), action_taken="Referred to MASH"
    )
    html = client_for(officer).get(reverse("cases:dashboard")).content.decode()
    total = DASHBOARD_ESCALATIONS + 5
    assert f"{total} safeguarding escalations not yet resolved" in html
    shown = re.findall(r"(?:Newer|Oldest|Resolved) \d{3}", html)
    assert len(shown) == DASHBOARD_ESCALATIONS
    assert {"Oldest 000", "Oldest 001"} <= set(shown)  # oldest first
    assert not [s for s in shown if s.startswith("Resolved")]
    link = f'href="{reverse("cases:list")}?escalated=true"'
    assert link in html
    assert f"See all {total} escalations: the 2 cases they are on" in html


def test_a_few_escalations_are_all_shown_without_a_see_all_link(officer: User) -> None:
    _escalate(CaseFactory(), 2)
    html = client_for(officer).get(reverse("cases:dashboard")).content.decode()
    assert "2 safeguarding escalations not yet resolved" in html
    assert "escalated=true" not in html


def test_the_see_all_link_lists_exactly_the_cases_with_an_unresolved_escalation(
    officer: User,
) -> None:
    escalated = [CaseFactory() for _ in range(3)]
    for case in escalated:
        _escalate(case, 2)  # two each: a case is listed once
    resolved, calm = CaseFactory(), CaseFactory()
    _escalate(resolved, 1)
    Escalation.objects.filter(case=resolved).update(
        resolved_at=timezone.now(), action_taken="Referred to MASH"
    )
    response = client_for(officer).get(reverse("cases:list"), {"escalated": "true"})
    html = response.content.decode()
    assert "3 cases match these filters" in html
    assert "unresolved safeguarding escalation" in html
    for case in escalated:
        assert case.reference in html
    assert resolved.reference not in html and calm.reference not in html


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_list_the_escalated_cases(
    persona: str, request: pytest.FixtureRequest, db: None
) -> None:
    _escalate(CaseFactory(), 1)
    user: User = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("cases:list"), {"escalated": "true"})
    assert response.status_code == 403


# --- the case list's filter form -------------------------------------------------------------


def _case_list_queries(officer: User, django_assert_max_num_queries: object, n: int) -> str:
    client = client_for(officer)
    client.get(reverse("cases:list"))  # the session and the user are loaded once, first
    with django_assert_max_num_queries(n):  # type: ignore[operator]
        response = client.get(reverse("cases:list"), {"open_only": "true"})
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_case_list_filter_form_costs_the_same_queries_however_many_options(
    officer: User, django_assert_max_num_queries: object
) -> None:
    for _ in range(3):
        CaseFactory(assigned_to=officer, last_school=SchoolFactory())
    # The session, the user, the count, the page of cases, and one query for each of the
    # four selects' options (no COUNT before each, as a ModelChoiceField's options make).
    few = _case_list_queries(officer, django_assert_max_num_queries, 8)
    schools = SchoolFactory.create_batch(40)
    for _ in range(15):
        UserFactory(role=User.Role.CME_OFFICER, organisation=officer.organisation)
    many = _case_list_queries(officer, django_assert_max_num_queries, 8)
    # Every school and officer is still offered (the form is trimmed in queries, not choices).
    assert few.count("<option") + 40 + 15 == many.count("<option")
    assert f'value="{schools[-1].pk}"' in many


def test_a_chosen_school_still_filters_the_list_with_the_options_read_once(
    officer: User,
) -> None:
    chosen, other = (
        CaseFactory(last_school=SchoolFactory()),
        CaseFactory(last_school=SchoolFactory()),
    )
    assert chosen.last_school is not None
    html = (
        client_for(officer)
        .get(reverse("cases:list"), {"last_school": chosen.last_school.pk})
        .content.decode()
    )
    assert chosen.reference in html and other.reference not in html
    assert f'<option value="{chosen.last_school.pk}" selected>' in html
