"""Reads of tasks and deadlines, scoped by the acting user."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
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


def _window(window: str, today: date) -> Q:
    """Overdue (before today), due today, or due this week (today to Sunday)."""
    if window == "overdue":
        return Q(due_on__lt=today)
    if window == "today":
        return Q(due_on=today)
    end_of_week = today + timedelta(days=6 - today.weekday())
    return Q(due_on__gte=today, due_on__lte=end_of_week)


def tasks_in_window(
    *, user: AnyUser, window: str, mine: bool, today: date | None = None
) -> QuerySet[Task]:
    """Overdue (before today), due today, or due this week (today to Sunday)."""
    today = today or timezone.localdate()
    tasks = open_tasks_visible_to(user)
    if mine:
        tasks = tasks.filter(assigned_to=user.pk)
    # The tasks page lists up to 500 of these: only what a row shows is loaded.
    return tasks.filter(_window(window, today)).only(*TASK_ROW_FIELDS)


# What a row of the tasks page shows: the task, its case and child, and the officer's name.
TASK_ROW_FIELDS = (
    "public_id",
    "title",
    "due_on",
    "escalated_at",
    "done_at",
    "cancelled_at",
    "case__public_id",
    "case__reference",
    "case__status",
    "case__child__forenames",
    "case__child__surname",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


@dataclass(frozen=True)
class TaskCounts:
    overdue: int
    today: int
    week: int


def task_counts(*, user: AnyUser, mine: bool, today: date | None = None) -> TaskCounts:
    """The three windows counted in one query: each count joins open tasks to open cases,
    and on a large register that join, not the counting, is the cost (one instead of three)."""
    today = today or timezone.localdate()
    tasks = open_tasks_visible_to(user)
    if mine:
        tasks = tasks.filter(assigned_to=user.pk)
    # Every window ends by Sunday: nothing due later can count.
    end_of_week = today + timedelta(days=6 - today.weekday())
    found = tasks.filter(due_on__lte=end_of_week).aggregate(
        **{w: Count("pk", filter=_window(w, today)) for w in WINDOWS}
    )
    return TaskCounts(*(found[w] or 0 for w in WINDOWS))


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
