"""Deadlines on cases: turn the rules in core.deadlines into tasks, complete tasks, and the
daily job (`cmetrack tick`) that keeps them current and reports what is overdue.

Safe to re-run and to run twice at once: rule tasks are keyed (case, rule_key) under a unique
constraint and inserted with ignore_conflicts; an overdue task is claimed for its report by a
conditional UPDATE, so only one run ever reports it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.core.deadlines import (
    CaseFacts,
    Deadline,
    DeadlineKind,
    Timescales,
    case_deadlines,
)
from cmetrack.core.school_calendar import NoTermDatesError, SchoolCalendar
from cmetrack.notifications.services import email_queue

from ..events import EventKind
from ..models import Case, CaseEvent, Task
from ..status import OPEN_STATUSES
from .common import CaseError, require_team

MANUAL = "manual"


def timescales() -> Timescales:
    return Timescales.from_settings(getattr(settings, "CMETRACK_TIMESCALES", None))


def case_facts(case: Case, done_tasks: Iterable[Task] = ()) -> CaseFacts:
    done = [t for t in done_tasks if t.done_at is not None]
    reviews = [
        timezone.localdate(t.done_at)
        for t in done
        if t.kind == DeadlineKind.UNTRACED_REVIEW and t.done_at is not None
    ]
    return CaseFacts(
        referral_date=case.referral_date,
        status=case.status,
        status_since=case.status_changed_on or case.referral_date,
        home_visit_done=any(t.kind == DeadlineKind.HOME_VISIT for t in done),
        last_review_done=max(reviews) if reviews else None,
    )


@dataclass(frozen=True)
class SyncResult:
    cases: int = 0
    created: int = 0
    cancelled: int = 0
    # Cases whose deadlines fall in an academic year with no term dates: said, never guessed.
    missing_term_dates: frozenset[str] = frozenset()


def tasks_sync(
    *, cases: QuerySet[Case], calendar: SchoolCalendar, batch_size: int = 2000
) -> SyncResult:
    """Create the rule tasks each open case is due and cancel those whose rule no longer
    applies. Idempotent."""
    scale = timescales()
    totals = {"cases": 0, "created": 0, "cancelled": 0}
    missing: set[str] = set()
    open_cases = cases.filter(status__in=OPEN_STATUSES).order_by("pk")
    last_pk = 0
    while True:
        batch = list(open_cases.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        tasks_by_case: dict[int, list[Task]] = {}
        for task in Task.objects.filter(case__in=batch).exclude(rule_key=""):
            tasks_by_case.setdefault(task.case_id, []).append(task)
        to_create: list[Task] = []
        to_cancel: list[int] = []
        for case in batch:
            existing = tasks_by_case.get(case.pk, [])
            try:
                wanted = case_deadlines(case_facts(case, existing), calendar, scale)
            except NoTermDatesError as error:
                missing.add(str(error))
                continue
            wanted_keys = {d.rule_key for d in wanted}
            have_keys = {t.rule_key for t in existing}
            to_create += [_rule_task(case, d) for d in wanted if d.rule_key not in have_keys]
            to_cancel += [t.pk for t in existing if t.is_open and t.rule_key not in wanted_keys]
        with transaction.atomic():
            created = Task.objects.bulk_create(to_create, ignore_conflicts=True)
            cancelled = Task.objects.filter(
                pk__in=to_cancel, done_at__isnull=True, cancelled_at__isnull=True
            ).update(cancelled_at=timezone.now())
        totals["cases"] += len(batch)
        totals["created"] += len(created)
        totals["cancelled"] += cancelled
    return SyncResult(**totals, missing_term_dates=frozenset(missing))


def _rule_task(case: Case, deadline: Deadline) -> Task:
    return Task(
        case=case,
        kind=deadline.kind.value,
        title=deadline.label,
        due_on=deadline.due,
        rule_key=deadline.rule_key,
        assigned_to_id=case.assigned_to_id,
    )


def tasks_escalate_overdue(*, today: date | None = None) -> int:
    """Report each open task past its due date to the managers once. Returns how many."""
    today = today or timezone.localdate()
    candidates = list(
        Task.objects.filter(
            done_at__isnull=True,
            cancelled_at__isnull=True,
            escalated_at__isnull=True,
            due_on__lt=today,
            case__status__in=OPEN_STATUSES,
        ).values_list("pk", flat=True)
    )
    if not candidates:
        return 0
    now = timezone.now()
    # The claim and its email commit together: a report is never claimed without its email.
    with transaction.atomic():
        # The conditional update is the claim: of two runs at once, each row goes to one.
        claimed = Task.objects.filter(pk__in=candidates, escalated_at__isnull=True).update(
            escalated_at=now
        )
        if claimed:
            managers = list(
                User.objects.filter(role=User.Role.CME_MANAGER, is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
            # No child's name or details in an email: a count and a link to sign in.
            email_queue(
                to=managers,
                subject="cmetrack: overdue CME tasks",
                body=(
                    f"{claimed} task(s) on children missing education cases became overdue.\n"
                    f"Sign in to see them: {settings.CMETRACK_BASE_URL}{reverse('cases:tasks')}"
                    "?show=overdue\n"
                ),
                kind="overdue-tasks",
            )
    return claimed


@transaction.atomic
def task_create(
    *, case: Case, title: str, due_on: date, by: User, assigned_to: User | None = None
) -> Task:
    require_team(by)
    title = title.strip()
    if not title:
        raise CaseError("Enter what needs doing.")
    if not case.is_open:
        raise CaseError("Tasks can only be added to an open case.")
    with acting_as(by):
        task = Task.objects.create(
            case=case,
            kind=MANUAL,
            title=title,
            due_on=due_on,
            created_by=by,
            assigned_to=assigned_to or case.assigned_to,
        )
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.TASK_ADDED.value,
            actor=by,
            occurred_at=timezone.now(),
            payload={"title": title, "due_label": due_on.strftime("%-d %B %Y")},
        )
    return task


@transaction.atomic
def task_complete(*, task: Task, by: User) -> Task:
    require_team(by)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise CaseError("That task is already done.")
    if task.cancelled_at is not None:
        raise CaseError("That task is no longer needed.")
    with acting_as(by):
        task.done_at = timezone.now()
        task.done_by = by
        task.save(update_fields=["done_at", "done_by"])
        CaseEvent.objects.create(
            case_id=task.case_id,
            kind=EventKind.TASK_DONE.value,
            actor=by,
            occurred_at=task.done_at,
            payload={"title": task.title, "kind": task.kind},
        )
    return task
