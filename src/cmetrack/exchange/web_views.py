"""The CME team's download of a hand-over's export (export.py), for secure email."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import la_staff_required
from cmetrack.accounts.models import User
from cmetrack.referrals.selectors import handover_get

from .export import handover_export


@require_safe
@la_staff_required
def handover_export_download(request: HttpRequest, public_id: str) -> HttpResponse:
    assert isinstance(request.user, User)
    note = handover_get(user=request.user, public_id=public_id)
    export = handover_export(notification=note, by=request.user)
    response = HttpResponse(export.content, content_type="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store, private"
    return response
