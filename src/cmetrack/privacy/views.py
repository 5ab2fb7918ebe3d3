"""Subject access export: managers only, recorded in the audit log like any other view."""

import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

from cmetrack.accounts.access import is_manager, la_staff_required
from cmetrack.audit.services import record_view
from cmetrack.children.selectors import child_get

from .subject_access import subject_access_document


@la_staff_required
def subject_access_export(request: HttpRequest, public_id: str) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied("Subject access exports are made by a CME manager.")
    child = child_get(user=request.user, public_id=public_id)
    record_view(child)
    document = subject_access_document(child)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    # The file name carries the opaque id only: no name in a download folder or a log.
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-{child.public_id}.json"'
    )
    return response
