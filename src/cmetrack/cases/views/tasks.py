"""Tasks: the team's and my due work, adding a task to a case, marking one done."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.exports.download import export_download
from cmetrack.exports.options import export_format, export_query, personal_wanted

from ..exports import task_list_table
from ..forms import TaskForm
from ..selectors import case_get
from ..services import CaseError, task_complete, task_create
from ..task_selectors import WINDOWS, open_tasks_visible_to, task_counts, tasks_in_window
from .actions import case_action_page
from .pages import page_of, query_without_page

WINDOW_TITLES = {"overdue": "Overdue", "today": "Due today", "week": "Due this week"}


def _chosen(request: HttpRequest) -> tuple[str, bool]:
    """The window (overdue, today, this week) and whose tasks: the page and its export alike."""
    window = request.GET.get("show", "overdue")
    if window not in WINDOWS:
        window = "overdue"
    return window, request.GET.get("who", "me") != "team"


@la_staff_required
def task_list(request: HttpRequest) -> HttpResponse:
    window, mine = _chosen(request)
    page = page_of(request, tasks_in_window(user=request.user, window=window, mine=mine))
    return render(
        request,
        "cases/task_list.html",
        {
            "page": page,
            "query_string": query_without_page(request.GET),
            "window": window,
            "mine": mine,
            "window_title": WINDOW_TITLES[window],
            "windows": [(w, WINDOW_TITLES[w]) for w in WINDOWS],
            "counts": task_counts(user=request.user, mine=mine),
            "export_query": export_query(request.GET),
        },
    )


@require_safe
@la_staff_required
def task_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The tasks the page shows for this window and these people, all pages, as CSV or XLSX."""
    fmt = export_format(fmt)
    window, mine = _chosen(request)
    table = task_list_table(
        tasks_in_window(user=request.user, window=window, mine=mine),
        title=f"Tasks: {WINDOW_TITLES[window].lower()} ({'mine' if mine else 'team'})",
        include_personal=personal_wanted(request.GET),
    )
    return export_download(
        request,
        table,
        fmt=fmt,
        view="task list export",
        details={"window": window, "who": "me" if mine else "team"},
    )


@la_staff_required
def task_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return case_action_page(
        request,
        public_id,
        title="Add a task",
        make_form=TaskForm,
        perform=lambda c, d, by: task_create(
            case=c, title=d["title"], due_on=d["due_on"], assigned_to=d["assigned_to"], by=by
        ),
        success="Task added",
    )


@la_staff_required
@require_POST
def task_done(request: HttpRequest, public_id: str, task_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    task = open_tasks_visible_to(request.user).filter(case=case, public_id=task_id).first()
    if task is None:
        raise Http404("No such task.")
    assert isinstance(request.user, User)
    try:
        task_complete(task=task, by=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Task done: {task.title}")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.public_id]))
