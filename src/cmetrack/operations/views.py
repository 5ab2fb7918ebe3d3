"""/healthz for load balancers and monitoring, and the administrators' status page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import can_administer
from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.selectors import email_status_counts, emails_needing_attention

from .health import FAILING, health_checks, overall
from .selectors import job_statuses, recent_failed_runs, task_queue_counts, workers_seen


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the service can serve pages (a load balancer keeps it in); 503 when the
    database is unreachable or migrations are pending. A stopped worker or a late tick is
    "degraded" with 200: pages still work, but monitoring should alert on any status but ok."""
    checks = health_checks()
    status = overall(checks)
    return JsonResponse(
        {"status": status, "checks": {check.name: check.as_json() for check in checks}},
        status=503 if status == FAILING else 200,
    )


@require_safe
def status_page(request: HttpRequest) -> HttpResponse:
    if not can_administer(request.user):
        raise PermissionDenied("The system status page is for administrators.")
    checks = health_checks()
    return render(
        request,
        "operations/status.html",
        {
            "overall": overall(checks),
            "checks": checks,
            "jobs": job_statuses(),
            "failed_runs": recent_failed_runs(),
            "workers": workers_seen(),
            "queue": task_queue_counts(),
            "emails": _labelled(email_status_counts()),
            "emails_failed": emails_needing_attention(),
        },
    )


def _labelled(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(label, counts.get(value, 0)) for value, label in OutboundEmail.Status.choices]
