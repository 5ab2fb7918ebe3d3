"""Subject access export and the per-child audit trail: managers only, each recorded in the
audit log like any other view."""

import csv
import io
import json
from typing import Any

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import is_manager, la_staff_required
from cmetrack.audit.services import record_view
from cmetrack.cases.views.pages import page_of, query_without_page
from cmetrack.children.selectors import child_get
from cmetrack.referrals.importing.values import neutralise_formula

from .selectors import AuditTrail, child_audit_trail
from .subject_access import subject_access_document

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %m %Y"]
CSV_COLUMNS = ("When", "Who", "Action", "Record", "Page", "Fields changed", "Answer")


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


class AuditFilterForm(forms.Form):
    since = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 1/9/2025",
        error_messages={"invalid": "Enter the from date as a real date, like 1/9/2025"},
    )
    until = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 31/12/2025",
        error_messages={"invalid": "Enter the to date as a real date, like 31/12/2025"},
    )
    # The people to choose from are the trail's own, known only once it is read: the page's
    # select lists them; an id of someone not in the trail simply matches nothing.
    person = forms.IntegerField(
        label="Person",
        required=False,
        min_value=1,
        error_messages={"invalid": "Choose a person from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()  # the GOV.UK error summary (includes/form_errors.html)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The to date must be the same as or after the from date")
        return data


def _filtered_trail(request: HttpRequest, public_id: str) -> tuple[AuditTrail, AuditFilterForm]:
    """The trail with the filters the query string asks for; with an error in the filters none
    is applied (the form says what is wrong)."""
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    trail = child_audit_trail(
        user=request.user,
        public_id=public_id,
        since=data.get("since"),
        until=data.get("until"),
        person=data.get("person"),
    )
    return trail, form


@require_safe
def child_audit(request: HttpRequest, public_id: str) -> HttpResponse:
    trail, form = _filtered_trail(request, public_id)
    record_view(trail.child)
    query = query_without_page(request.GET)
    return render(
        request,
        "privacy/child_audit.html",
        {
            "child": trail.child,
            "cases": trail.child.cases.order_by("-referral_date"),
            "form": form,
            "people": trail.people,
            "chosen_person": form.cleaned_data.get("person") if form.is_bound else None,
            "page": page_of(request, trail.lines),
            "query_string": query,
            "filtered": bool(form.is_bound and form.is_valid() and form.has_changed()),
        },
    )


@require_safe
def child_audit_export(request: HttpRequest, public_id: str) -> HttpResponse:
    trail, _ = _filtered_trail(request, public_id)
    record_view(trail.child)  # the export is itself a view of the child's record
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for line in trail.lines:
        writer.writerow(
            [
                line.when.isoformat(),
                neutralise_formula(line.who),
                line.action,
                neutralise_formula(line.record),
                line.page,
                " ".join(line.fields),
                line.answer or "",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    # The opaque id only: no name in a download folder or a log.
    response["Content-Disposition"] = f'attachment; filename="audit-{trail.child.public_id}.csv"'
    return response
