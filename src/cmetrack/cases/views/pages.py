"""Read-only pages: dashboard, case list, case page. Thin: selectors do the work."""

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import is_ehe_officer, is_manager, is_partner, la_staff_required
from cmetrack.audit.services import record_view
from cmetrack.exports.download import export_download
from cmetrack.exports.options import EXPORT_PARAMETERS, export_format, export_query, personal_wanted
from cmetrack.schooldays.selectors import school_calendar

from ..exports import case_list_table
from ..filters import CaseFilter
from ..models import ClosureRequest
from ..selectors import (
    case_get,
    case_list,
    case_timeline,
    dashboard_figures,
    open_escalation_totals,
    open_escalations,
    pending_closure_count,
)
from ..services import enquiry_checks_missing
from ..status import Status, allowed_next
from ..task_selectors import case_next_deadline, task_counts
from .search_memory import search_recall, search_remember

PAGE_SIZE = 25
# The dashboard lists this many of the oldest unresolved escalations, then links to them all.
DASHBOARD_ESCALATIONS = 10


def page_of(request: HttpRequest, rows: QuerySet[Any] | Sequence[Any]) -> Page[Any]:
    """The page `?page=` asks for, PAGE_SIZE rows (a page past the end is the last one): every
    long list pages the same way, with includes/pagination.html and `query_without_page`."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(query: QueryDict) -> str:
    """The list's other parameters (its filters), for the pagination links to carry."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def dashboard(request: HttpRequest) -> HttpResponse:
    """Where everyone lands after signing in: partners go to their own submissions, the EHE
    team to the home-education register."""
    if is_partner(request.user):
        return redirect("referrals:mine")
    if is_ehe_officer(request.user):
        return redirect("ehe:register")
    return _team_dashboard(request)


@la_staff_required
def _team_dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/dashboard.html",
        {
            "figures": dashboard_figures(user=request.user),
            "escalations": open_escalations(user=request.user)[:DASHBOARD_ESCALATIONS],
            "escalation_totals": open_escalation_totals(user=request.user),
            "pending_approvals": pending_closure_count(user=request.user),
            "task_panels": [
                ("My tasks", "me", task_counts(user=request.user, mine=True)),
                ("Team tasks", "team", task_counts(user=request.user, mine=False)),
            ],
        },
    )


@la_staff_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    """The search words are posted, never put in the URL (views/search_memory.py); the other
    filters (status, officer, school, reason, flag) name no child and stay in the URL, so a
    filtered list can be bookmarked and shared."""
    if request.method == "POST" or "q" in request.GET:
        # A posted search, or an old bookmark with the words in it: move them to the session.
        source = request.POST if request.method == "POST" else request.GET
        query = source.copy()
        query.pop("csrfmiddlewaretoken", None)
        query.pop("page", None)
        query.pop("search", None)
        text = str((query.pop("q", None) or [""])[-1]).strip()
        if text:
            query["search"] = search_remember(request.session, text)
        return redirect(f"{reverse('cases:list')}?{query.urlencode()}")
    case_filter, query, data = _case_filter(request)
    page = page_of(request, case_filter.qs)
    if data.get("q"):
        # A search looks for a child: each child it shows was looked at, and is recorded.
        for case in page.object_list:
            record_view(case.child)
    return render(
        request,
        "cases/case_list.html",
        {
            "filter": case_filter,
            "page": page,
            "query_string": query.urlencode(),
            "active_filters": bool(data and case_filter.form.has_changed()),
            "export_query": export_query(query),
        },
    )


def _case_filter(request: HttpRequest) -> tuple[CaseFilter, QueryDict, QueryDict]:
    """The list's filters from the URL, the search words recalled from the session: the page
    and its export read them the same way. Returns the filter, the URL's query without its
    page (and without a search that has expired) and the filter's data."""
    query = request.GET.copy()
    query.pop("page", None)
    for name in EXPORT_PARAMETERS:
        query.pop(name, None)
    data = query.copy()
    key = data.pop("search", None)
    if key:
        recalled = search_recall(request.session, str(key[-1]))
        if recalled is None:
            messages.info(request, "That search has expired. Search again.")
            query.pop("search", None)
        else:
            data["q"] = recalled
    return CaseFilter(data or None, queryset=case_list(user=request.user)), query, data


@require_safe
@la_staff_required
def case_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every case the list shows with these filters (all its pages), as CSV or XLSX."""
    fmt = export_format(fmt)
    if "q" in request.GET:
        # Search words in the URL (a hand-made link): the list moves them into the session
        # first, as it does for an old bookmark, and its export link then carries the key.
        return redirect(f"{reverse('cases:list')}?{request.GET.urlencode()}")
    case_filter, query, data = _case_filter(request)
    if "search" in request.GET and "search" not in query:
        # The search has expired: no file of more cases than the user searched for.
        return redirect(f"{reverse('cases:list')}?{query.urlencode()}")
    table = case_list_table(case_filter.qs, include_personal=personal_wanted(request.GET))
    return export_download(
        request,
        table,
        fmt=fmt,
        view="case list export",
        # Which filters were used, never their values: a search's words name a child.
        details={"filters": sorted(k for k, v in data.items() if v)},
    )


@la_staff_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    # Viewing a child's case is itself recorded (DOMAIN.md §10: full audit of access).
    record_view(case)
    record_view(case.child)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "child": case.child,
            "timeline": case_timeline(case=case),
            "next_deadline": case_next_deadline(case=case, calendar=school_calendar()),
            "open_tasks": case.tasks.filter(done_at__isnull=True, cancelled_at__isnull=True)
            .select_related("assigned_to")
            .order_by("due_on"),
            "open_escalations": case.escalations.filter(resolved_at__isnull=True),
            "enquiries": case.enquiries.select_related("check_type"),
            "checks_missing": enquiry_checks_missing(case=case) if case.is_open else [],
            "submissions": case.submissions.order_by("received_at"),
            "pending_closure": case.closure_requests.filter(
                state=ClosureRequest.State.PENDING
            ).first(),
            "user_is_manager": is_manager(request.user),
            "can_change_status": bool(
                [
                    s
                    for s in allowed_next(Status(case.status))
                    if s not in {Status.CLOSED, Status.UNTRACED}
                ]
            ),
        },
    )
