"""Pages that change a case: each shows a form, calls one service and returns to the case.

A form that changes the case itself carries the version it was opened at (CaseVersionMixin);
if the case moved on since, the service refuses it (CaseChanged) and the page says what changed
and offers the form again at the new version (docs/concurrent-edits.md)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import is_manager, la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.children.models import ChildFlag

from ..forms import (
    AssignForm,
    CategoryForm,
    CloseForm,
    FlagForm,
    FlagRemoveForm,
    NoteForm,
    PrimaryReasonForm,
    ReopenForm,
    RiskForm,
    StatusForm,
)
from ..models import Case
from ..selectors import case_get
from ..services import (
    CaseChanged,
    CaseError,
    case_add_note,
    case_assign,
    case_change_category,
    case_change_primary_reason,
    case_change_status,
    case_close,
    case_flag_add,
    case_flag_remove,
    case_reopen,
    case_set_risk,
    closure_needs_approval,
    closure_request,
)
from ..status import TransitionError
from .conflict import Conflict, conflict_from


def _case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.public_id])


def case_action_page(
    request: HttpRequest,
    public_id: str,
    *,
    title: str,
    make_form: Callable[..., forms.Form],
    perform: Callable[[Case, dict[str, Any], User], object],
    success: str,
    template: str = "cases/case_action.html",
    context: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Show a form for one case and, when valid, run its service; errors stay on the form.
    `template` (extending case_action.html) and `context` add what a page shows beside it.
    A form with a `version` field is opened at the case's version; refused as stale, the page
    shows what changed and a fresh form at the version the case is at now."""
    case = case_get(user=request.user, public_id=public_id)
    form = _opened(make_form(request.POST or None), case)
    changed: CaseChanged | None = None
    if request.method == "POST":
        # Told before the form is checked: a stale form's choices may no longer be offered
        # (a status the case has since left), and "select a valid choice" would hide why.
        changed = _stale(form, case)
        if changed is None and form.is_valid():
            assert isinstance(request.user, User)
            try:
                perform(case, form.cleaned_data, request.user)
            except CaseChanged as refused:  # changed between this page's read and the write
                changed = refused
            except (CaseError, TransitionError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, success)
                return redirect(_case_url(case))
    conflict: Conflict | None = None
    if changed is not None:
        conflict = conflict_from(changed)
        case = case_get(user=request.user, public_id=public_id)
        form = _opened(make_form(None), case)
    extra = context(case) if context is not None else {}
    # The page shows the child's name and the case: a view, recorded like the case page's.
    record_view(case)
    record_view(case.child)
    return render(
        request,
        template,
        {"case": case, "form": form, "title": title, "conflict": conflict, **extra},
    )


def _opened(form: forms.Form, case: Case) -> forms.Form:
    """A form shown (not yet posted) that carries a version is opened at the case's version."""
    if not form.is_bound and "version" in form.fields:
        form.initial["version"] = case.version
    return form


def _stale(form: forms.Form, case: Case) -> CaseChanged | None:
    """The refusal a posted form earns if it carries a version the case has moved on from.
    A version that cannot be read is left to the form to report."""
    if not form.is_bound or "version" not in form.fields:
        return None
    try:
        posted = form.fields["version"].to_python(form.data.get("version"))
    except ValidationError:
        return None
    if posted is None or posted == case.version:
        return None
    return CaseChanged(case, posted)


def _version(data: dict[str, Any]) -> int | None:
    version: int | None = data.get("version")
    return version


@la_staff_required
def change_status(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    return case_action_page(
        request,
        public_id,
        title="Change status",
        make_form=lambda data: StatusForm(data, current=case.status),
        perform=lambda c, d, by: case_change_status(
            case=c, to=d["status"], note=d["note"], by=by, expected_version=_version(d)
        ),
        success="Status changed",
    )


@la_staff_required
def assign(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    return case_action_page(
        request,
        public_id,
        title="Assign the case",
        make_form=lambda data: AssignForm(data, initial={"officer": case.assigned_to}),
        perform=lambda c, d, by: case_assign(
            case=c, officer=d["officer"], by=by, expected_version=_version(d)
        ),
        success="Case assigned",
    )


@la_staff_required
def add_note(request: HttpRequest, public_id: str) -> HttpResponse:
    return case_action_page(
        request,
        public_id,
        title="Add a note",
        make_form=NoteForm,
        perform=lambda c, d, by: case_add_note(case=c, text=d["text"], by=by),
        success="Note added",
    )


@la_staff_required
def change_risk(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    return case_action_page(
        request,
        public_id,
        title="Change the risk level",
        make_form=lambda data: RiskForm(data, initial={"risk_level": case.risk_level}),
        perform=lambda c, d, by: case_set_risk(
            case=c, risk_level=d["risk_level"], by=by, expected_version=_version(d)
        ),
        success="Risk level changed",
    )


@la_staff_required
def change_category(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    return case_action_page(
        request,
        public_id,
        title="Change the type of case",
        make_form=lambda data: CategoryForm(data, initial={"category": case.category}),
        perform=lambda c, d, by: case_change_category(
            case=c,
            category=d["category"],
            reason_text=d["reason_text"],
            by=by,
            expected_version=_version(d),
        ),
        success="Type of case changed",
    )


@la_staff_required
def change_primary_reason(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    return case_action_page(
        request,
        public_id,
        title="Change the main reason",
        make_form=lambda data: PrimaryReasonForm(
            data, initial={"primary_reason": case.primary_reason_id}
        ),
        perform=lambda c, d, by: case_change_primary_reason(
            case=c,
            primary_reason=d["primary_reason"],
            note=d["note"],
            by=by,
            expected_version=_version(d),
        ),
        success="Main reason changed",
    )


@la_staff_required
def close(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    if closure_needs_approval(case) and not is_manager(request.user):
        # A flagged or untraced child: the officer's closure goes to a manager's queue.
        return case_action_page(
            request,
            public_id,
            title="Ask a manager to close the case",
            make_form=CloseForm,
            perform=lambda c, d, by: closure_request(
                case=c,
                outcome=d["outcome"],
                closed_on=d["closed_on"],
                note=d["note"],
                by=by,
                expected_version=_version(d),
            ),
            success="Closure sent to a manager for approval",
        )
    return case_action_page(
        request,
        public_id,
        title="Close the case",
        make_form=CloseForm,
        perform=lambda c, d, by: case_close(
            case=c,
            outcome=d["outcome"],
            closed_on=d["closed_on"],
            note=d["note"],
            by=by,
            expected_version=_version(d),
        ),
        success="Case closed",
    )


@la_staff_required
def reopen(request: HttpRequest, public_id: str) -> HttpResponse:
    return case_action_page(
        request,
        public_id,
        title="Reopen the case",
        make_form=ReopenForm,
        perform=lambda c, d, by: case_reopen(
            case=c, reason=d["reason"], by=by, expected_version=_version(d)
        ),
        success="Case reopened",
    )


@la_staff_required
def add_flag(request: HttpRequest, public_id: str) -> HttpResponse:
    return case_action_page(
        request,
        public_id,
        title="Add a vulnerability flag",
        make_form=FlagForm,
        perform=lambda c, d, by: case_flag_add(
            case=c,
            flag_type=d["flag_type"],
            note=d["note"],
            by=by,
            expected_version=_version(d),
        ),
        success="Flag added",
    )


@la_staff_required
@require_POST
def remove_flag(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    """A button on the case page, carrying the case's version. Refused as stale, it answers
    with a page of its own: what changed, and the button again at the new version."""
    case = case_get(user=request.user, public_id=public_id)
    flag = get_object_or_404(
        ChildFlag, flag_type__code=code, child=case.child, removed_at__isnull=True
    )
    assert isinstance(request.user, User)
    form = FlagRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.non_field_errors()))
        return HttpResponseRedirect(_case_url(case))
    try:
        case_flag_remove(
            case=case, flag=flag, by=request.user, expected_version=_version(form.cleaned_data)
        )
    except CaseChanged as changed:
        record_view(changed.case)
        record_view(changed.case.child)
        return render(
            request,
            "cases/case_action.html",
            {
                "case": changed.case,
                "form": _opened(FlagRemoveForm(), changed.case),
                "title": f"Remove the flag: {flag.flag_type.label}",
                "conflict": conflict_from(changed),
            },
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Flag removed: {flag.flag_type.label}")
    return HttpResponseRedirect(_case_url(case))
