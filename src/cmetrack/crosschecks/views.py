"""Cross-check pages: the checks and recent runs, starting one, a run's results (progress while
it works, then its candidates by tab, with CSV/XLSX export), a candidate's page (the matching
explanation, dismiss with a reason, reopen, refer in one step), re-running. The CME team alone:
403 for anyone else, 404 for a run or candidate that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.cases.models import MissingReason
from cmetrack.exports.download import export_download
from cmetrack.exports.options import export_format, personal_wanted

from .exports import candidates_table
from .forms import CheckForm, DismissForm
from .kinds import KINDS, CheckKind
from .models import CrossCheckRun, RunState
from .selectors import TABS, candidate_get, candidates_of, run_get, runs_visible_to, tab_counts
from .services import (
    CrossCheckRefused,
    candidate_dismiss,
    candidate_refer,
    candidate_reopen,
    crosscheck_rerun,
    crosscheck_start,
)

REFRESH_SECONDS = 3
PAGE_SIZE = 200


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _kind(value: str) -> CheckKind:
    try:
        return CheckKind(value)
    except ValueError as error:
        raise Http404("No such cross-check") from error


def _run_page(run: CrossCheckRun, tab: str = "") -> HttpResponse:
    url = reverse("crosschecks:run", args=[run.public_id])
    return redirect(f"{url}?tab={tab}" if tab else url)


@la_staff_required
def check_list(request: HttpRequest) -> HttpResponse:
    runs = runs_visible_to(_user(request))[:50]
    return render(
        request,
        "crosschecks/list.html",
        {
            "kinds": [(k.value, info) for k, info in KINDS.items()],
            "runs": runs,
            "titles": {k.value: info.title for k, info in KINDS.items()},
        },
    )


@la_staff_required
def start(request: HttpRequest, kind: str) -> HttpResponse:
    check = _kind(kind)
    form = CheckForm(request.POST or None, request.FILES or None, kind=check)
    if request.method == "POST" and form.is_valid():
        try:
            run = crosscheck_start(request=form.check_request(), by=_user(request))
        except CrossCheckRefused as error:
            form.add_error("list_file" if "list_file" in form.fields else None, str(error))
        else:
            return _run_page(run)
    return render(
        request, "crosschecks/start.html", {"form": form, "info": KINDS[check], "kind": check}
    )


@la_staff_required
def run_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    run = run_get(user=user, public_id=public_id)
    tab = request.GET.get("tab", "open")
    tab = tab if tab in TABS else "open"
    record_view(run)
    working = run.state in (RunState.QUEUED, RunState.RUNNING)
    candidates = candidates_of(user=user, run=run, tab=tab)[:PAGE_SIZE] if not working else []
    response = render(
        request,
        "crosschecks/run.html",
        {
            "run": run,
            "info": KINDS[CheckKind(run.kind)],
            "tab": tab,
            "tabs": [("open", "To look at"), ("referred", "Referred"), ("dismissed", "Dismissed")],
            "counts": tab_counts(run),
            "candidates": candidates,
            "page_size": PAGE_SIZE,
            "working": working,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    if working:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@la_staff_required
def run_export(request: HttpRequest, public_id: str, fmt: str) -> HttpResponse:
    user = _user(request)
    run = run_get(user=user, public_id=public_id)
    fmt = export_format(fmt)
    tab = request.GET.get("tab", "open")
    table = candidates_table(
        run,
        candidates_of(user=user, run=run, tab=tab if tab in TABS else "open"),
        include_personal=personal_wanted(request.GET),
    )
    return export_download(
        request, table, fmt=fmt, view="crosschecks:export", details={"run": str(run.public_id)}
    )


@la_staff_required
@require_POST
def rerun(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    run = run_get(user=user, public_id=public_id)
    try:
        again = crosscheck_rerun(run=run, by=user)
    except CrossCheckRefused as error:
        messages.error(request, str(error))
        return _run_page(run)
    return _run_page(again)


@la_staff_required
def candidate(request: HttpRequest, public_id: str, candidate_id: str) -> HttpResponse:
    user = _user(request)
    run = run_get(user=user, public_id=public_id)
    found = candidate_get(user=user, run=run, public_id=candidate_id)
    form = DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_dismiss(candidate=found, reason=form.cleaned_data["reason"], by=user)
        except CrossCheckRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{found.name} is dismissed.")
            return _run_page(run)
    record_view(found)
    info = KINDS[CheckKind(run.kind)]
    return render(
        request,
        "crosschecks/candidate.html",
        {
            "run": run,
            "candidate": found,
            "form": form,
            "info": info,
            "reason": MissingReason.objects.filter(code=info.reason_code).first(),
        },
    )


@la_staff_required
@require_POST
def refer(request: HttpRequest, public_id: str, candidate_id: str) -> HttpResponse:
    user = _user(request)
    run = run_get(user=user, public_id=public_id)
    found = candidate_get(user=user, run=run, public_id=candidate_id)
    try:
        referral = candidate_refer(candidate=found, by=user)
    except CrossCheckRefused as error:
        messages.error(request, str(error))
        return redirect(reverse("crosschecks:candidate", args=[run.public_id, found.public_id]))
    messages.success(
        request, f"Referral {referral.reference} made: it is in the incoming queue to triage."
    )
    return _run_page(run)


@la_staff_required
@require_POST
def reopen(request: HttpRequest, public_id: str, candidate_id: str) -> HttpResponse:
    user = _user(request)
    run = run_get(user=user, public_id=public_id)
    found = candidate_get(user=user, run=run, public_id=candidate_id)
    try:
        candidate_reopen(candidate=found, by=user)
    except CrossCheckRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{found.name} is a candidate again.")
    return redirect(reverse("crosschecks:candidate", args=[run.public_id, found.public_id]))
