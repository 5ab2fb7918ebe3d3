"""The statutory clock on real cases: tasks from the rules, the daily tick, escalation, and the
pages that show them. Time-travel with time-machine across term boundaries and holidays."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, Task
from cmetrack.cases.services import (
    CaseError,
    case_change_status,
    task_complete,
    task_create,
    tasks_escalate_overdue,
    tasks_sync,
)
from cmetrack.conftest import client_for
from cmetrack.schooldays.selectors import school_calendar
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def term_dates(db: None) -> None:
    term_dates_load_bundled()


def sync() -> None:
    tasks_sync(cases=Case.objects.all(), calendar=school_calendar())


def open_rule_tasks(case: Case) -> dict[str, date]:
    return {
        t.kind: t.due_on for t in case.tasks.filter(done_at__isnull=True, cancelled_at__isnull=True)
    }


@pytest.mark.usefixtures("term_dates")
def test_a_new_referral_gets_its_statutory_tasks_and_a_second_tick_makes_nothing_twice() -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 12, 1))
        sync()
        first = open_rule_tasks(case)
        sync()
        assert Task.objects.count() == 3
    assert first == {
        "home_visit": date(2026, 12, 8),
        "first_review": date(2026, 12, 15),
        "enquiries_complete": first["enquiries_complete"],
    }


@pytest.mark.usefixtures("term_dates")
def test_moving_to_placed_cancels_enquiry_tasks_and_asks_for_attendance_confirmation(
    officer: User,
) -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 11, 20), status_changed_on=date(2026, 11, 20))
        sync()
    with time_machine.travel(at(date(2026, 12, 16)), tick=False):
        case_change_status(case=case, to="placed", by=officer)
        sync()
    # Placed Wed 16 Dec: 17, 18 Dec, (4 Jan INSET), 5..8, 11..14 Jan -> tenth school day 14 Jan.
    assert open_rule_tasks(case) == {"attendance_confirmation": date(2027, 1, 14)}
    assert case.tasks.filter(cancelled_at__isnull=False).count() == 3


@pytest.mark.usefixtures("term_dates")
def test_a_done_home_visit_is_not_asked_for_again(officer: User) -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 12, 1))
        sync()
        task_complete(task=case.tasks.get(kind="home_visit"), by=officer)
        sync()
    assert "home_visit" not in open_rule_tasks(case)
    assert case.events.filter(kind="task_done").exists()


@pytest.mark.usefixtures("term_dates")
def test_the_daily_tick_reports_overdue_work_to_managers_once_without_child_details(
    manager: User,
) -> None:
    manager.email = "manager@example.invalid"
    manager.save()
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 12, 1), child__surname="Secretname")
        call_command("tick")
    with time_machine.travel(at(date(2026, 12, 9)), tick=False):  # the home visit was due 8 Dec
        call_command("tick")
        call_command("tick")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "1 task(s)" in body and "Secretname" not in body and case.reference not in body
    assert Task.objects.filter(escalated_at__isnull=False).count() == 1


@pytest.mark.usefixtures("term_dates")
def test_escalation_claims_each_task_once_even_if_two_runs_overlap() -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        CaseFactory(referral_date=date(2026, 12, 1))
        sync()
    with time_machine.travel(at(date(2027, 3, 1)), tick=False):
        first = tasks_escalate_overdue()
        second = tasks_escalate_overdue()
    assert (first, second) == (3, 0)


@pytest.mark.django_db
def test_without_term_dates_the_tick_says_so_instead_of_guessing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    CaseFactory()
    call_command("tick")
    assert "No term dates are loaded" in capsys.readouterr().err
    assert not Task.objects.exists()


@pytest.mark.usefixtures("term_dates")
def test_case_page_shows_the_next_deadline_and_school_days_left(officer: User) -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 12, 1))
        sync()
        page = client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    text = page.content.decode()
    assert "Next deadline:" in text and "Home visit" in text and "5 school days left" in text


@pytest.mark.usefixtures("term_dates")
def test_an_overdue_deadline_is_shown_in_school_days(officer: User) -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 12, 1))
        sync()
    with time_machine.travel(at(date(2026, 12, 10)), tick=False):
        page = client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    assert "overdue by 2 school days" in page.content.decode()


@pytest.mark.usefixtures("term_dates")
def test_dashboard_and_task_list_show_due_and_overdue_work(officer: User) -> None:
    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        case = CaseFactory(referral_date=date(2026, 12, 1), assigned_to=officer)
        sync()
    with time_machine.travel(at(date(2026, 12, 8)), tick=False):
        client = client_for(officer)  # signed in on the day: sessions last a working day
        dashboard = client.get(reverse("cases:dashboard")).content.decode()
        today = client.get(reverse("cases:tasks"), {"show": "today"}).content.decode()
    with time_machine.travel(at(date(2026, 12, 9)), tick=False):
        overdue = client_for(officer).get(
            reverse("cases:tasks"), {"show": "overdue", "who": "team"}
        )
    assert "<strong>1</strong> due today" in dashboard
    assert "Home visit" in today and case.child.surname in today
    assert "Home visit" in overdue.content.decode()


def test_an_officer_adds_a_task_by_hand_and_marks_it_done(officer: User) -> None:
    case = CaseFactory()
    client = client_for(officer)
    response = client.post(
        reverse("cases:task-add", args=[case.public_id]),
        {"title": "Ring the health visitor", "due_on": "31/12/2099"},
    )
    assert response.status_code == 302
    task = case.tasks.get()
    assert task.kind == "manual" and task.created_by == officer
    done = reverse("cases:task-done", args=[case.public_id, task.public_id])
    assert client.get(done).status_code == 405
    assert client.post(done).status_code == 302
    task.refresh_from_db()
    assert task.done_by == officer
    assert [e.kind for e in case.events.order_by("id")] == ["task_added", "task_done"]


def test_a_task_in_the_past_or_without_a_title_is_refused(officer: User) -> None:
    case = CaseFactory()
    response = client_for(officer).post(
        reverse("cases:task-add", args=[case.public_id]), {"title": "", "due_on": "01/01/2000"}
    )
    body = response.content.decode()
    assert "Enter what needs doing" in body and "today or later" in body
    assert not Task.objects.exists()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_see_tasks_or_change_them(
    persona: str, request: pytest.FixtureRequest, officer: User
) -> None:
    user: User = request.getfixturevalue(persona)
    case = CaseFactory()
    task = task_create(case=case, title="Call", due_on=date(2099, 1, 1), by=officer)
    client = client_for(user)
    assert client.get(reverse("cases:tasks")).status_code == 403
    assert (
        client.post(
            reverse("cases:task-add", args=[case.public_id]), {"title": "x", "due_on": "01/01/2099"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("cases:task-done", args=[case.public_id, task.public_id])).status_code
        == 403
    )
    with pytest.raises(CaseError):
        task_complete(task=task, by=user)
    task.refresh_from_db()
    assert task.done_at is None


def test_reassigning_a_case_hands_its_open_tasks_to_the_new_officer(
    officer: User, manager: User
) -> None:
    from cmetrack.cases.services import case_assign

    case = CaseFactory(assigned_to=officer)
    mine = task_create(case=case, title="Call school", due_on=date(2099, 1, 1), by=officer)
    theirs = task_create(
        case=case, title="Visit", due_on=date(2099, 1, 1), by=officer, assigned_to=manager
    )
    case_assign(case=case, officer=manager, by=manager)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.assigned_to == manager and theirs.assigned_to == manager


@pytest.mark.usefixtures("term_dates")
def test_a_case_moves_through_its_deadlines_as_the_clock_advances_across_half_term(
    officer: User, manager: User
) -> None:
    """Referred Mon 19 Oct 2026; half-term is 26-30 Oct and 2 Nov is an INSET day."""
    manager.email = "manager@example.invalid"
    manager.save()
    with time_machine.travel(at(date(2026, 10, 19)), tick=False):
        case = CaseFactory(referral_date=date(2026, 10, 19), assigned_to=officer)
        call_command("tick")
    due = open_rule_tasks(case)
    # 5 school days: 20-23 Oct (4), then 3 Nov (half-term and the INSET day skipped).
    assert due["home_visit"] == date(2026, 11, 3)
    # 10 school days: 20-23 Oct, 3-6 Nov, 9-10 Nov.
    assert due["first_review"] == date(2026, 11, 10)

    with time_machine.travel(at(date(2026, 11, 3)), tick=False):
        call_command("tick")
        assert tasks_in_window_count(officer, "today") == 1
        assert not mail.outbox
    with time_machine.travel(at(date(2026, 11, 4)), tick=False):
        call_command("tick")
        assert tasks_in_window_count(officer, "overdue") == 1
    assert len(mail.outbox) == 1  # the home visit, reported once

    with time_machine.travel(at(date(2026, 11, 5)), tick=False):
        task_complete(task=case.tasks.get(kind="home_visit"), by=officer)
        case_change_status(case=case, to="placed", by=officer)
        call_command("tick")
    # Placed Thu 5 Nov: the enquiry deadlines are withdrawn, attendance is due on 19 Nov.
    assert open_rule_tasks(case) == {"attendance_confirmation": date(2026, 11, 19)}


def tasks_in_window_count(user: User, window: str) -> int:
    from cmetrack.cases.task_selectors import tasks_in_window

    return tasks_in_window(user=user, window=window, mine=True).count()
