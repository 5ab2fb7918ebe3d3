"""Reads of tasks and deadlines, scoped by the acting user."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from cmetrack.accounts.access import AnyUser, is_la_staff
from cmetrack.core.school_calendar import NoTermDatesError, SchoolCalendar

from .models import Case, Task
from .status import OPEN_STATUSES


def open_tasks_visible_to(user: AnyUser) -> QuerySet[Task]:
    if not is_la_staff(user):
        return Task.objects.none()
    return Task.objects.filter(
        done_at__isnull=True, cancelled_at__isnull=True, case__status__in=OPEN_STATUSES
    ).select_related("case", "case__child", "assigned_to")


WINDOWS = ("overdue", "today", "week")


def tasks_in_window(
    *, user: AnyUser, window: str, mine: bool, today: date | None = None
) -> QuerySet[Task]:
    """Overdue (before today), due today, or due this week (today to Sunday)."""
    today = today or timezone.localdate()
    tasks = open_tasks_visible_to(user)
    if mine:
        tasks = tasks.filter(assigned_to=user.pk)
    if window == "overdue":
        return tasks.filter(due_on__lt=today)
    if window == "today":
        return tasks.filter(due_on=today)
    end_of_week = today + timedelta(days=6 - today.weekday())
    return tasks.filter(due_on__gte=today, due_on__lte=end_of_week)


@dataclass(frozen=True)
class TaskCounts:
    overdue: int
    today: int
    week: int


def task_counts(*, user: AnyUser, mine: bool) -> TaskCounts:
    return TaskCounts(*(tasks_in_window(user=user, window=w, mine=mine).count() for w in WINDOWS))


@dataclass(frozen=True)
class NextDeadline:
    task: Task
    school_days_left: int | None  # negative when overdue; None when term dates are missing
    message: str


def case_next_deadline(*, case: Case, calendar: SchoolCalendar) -> NextDeadline | None:
    task = (
        case.tasks.filter(done_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_on")
        .first()
    )
    if task is None:
        return None
    today = timezone.localdate()
    try:
        if task.due_on >= today:
            left = calendar.school_days_between(today, task.due_on)
            message = (
                "due today" if left == 0 else f"{left} school day{'s' if left != 1 else ''} left"
            )
        else:
            left = -calendar.school_days_between(task.due_on, today)
            message = f"overdue by {-left} school day{'s' if left != -1 else ''}"
    except NoTermDatesError as error:
        return NextDeadline(task=task, school_days_left=None, message=str(error))
    return NextDeadline(task=task, school_days_left=left, message=message)
