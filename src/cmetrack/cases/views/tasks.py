"""Tasks: the team's and my due work, adding a task to a case, marking one done."""

from datetime import date
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User

from ..deadline_services import task_complete, task_create
from ..forms import la_officers
from ..selectors import case_get
from ..services import CaseError
from ..task_selectors import WINDOWS, open_tasks_visible_to, task_counts, tasks_in_window
from .actions import _case_action

WINDOW_TITLES = {"overdue": "Overdue", "today": "Due today", "week": "Due this week"}


@la_staff_required
def task_list(request: HttpRequest) -> HttpResponse:
    window = request.GET.get("show", "overdue")
    if window not in WINDOWS:
        window = "overdue"
    mine = request.GET.get("who", "me") != "team"
    return render(
        request,
        "cases/task_list.html",
        {
            "tasks": tasks_in_window(user=request.user, window=window, mine=mine)[:500],
            "window": window,
            "mine": mine,
            "window_title": WINDOW_TITLES[window],
            "windows": [(w, WINDOW_TITLES[w]) for w in WINDOWS],
            "counts": task_counts(user=request.user, mine=mine),
        },
    )


class TaskForm(forms.Form):
    title = forms.CharField(
        label="What needs doing",
        max_length=200,
        error_messages={"required": "Enter what needs doing"},
    )
    due_on = forms.DateField(
        label="Due date",
        help_text="For example, 27/3/2027",
        error_messages={
            "required": "Enter the due date",
            "invalid": "Enter the due date as day/month/year",
        },
    )
    assigned_to = forms.ModelChoiceField(
        label="Officer",
        queryset=User.objects.none(),
        required=False,
        empty_label="The case's officer",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = la_officers()  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form>
        self.helper.layout = Layout(
            Field.text("title"),
            Field.text("due_on", field_width=10),
            Field.select("assigned_to"),
            Submit("submit", "Add task"),
        )

    def clean_due_on(self) -> date:
        value: date = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("The due date must be today or later")
        return value


@la_staff_required
def task_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return _case_action(
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
