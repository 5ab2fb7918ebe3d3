"""The EHE register's pages. Each checks the role first (403, before any lookup, so nobody
refused learns whether a record exists), reads through the selectors, writes through one
service, and records every view of a child's data in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import (
    AnyUser,
    can_acknowledge_ehe_alert,
    can_record_ehe_notice,
    can_work_ehe,
    ehe_viewer_required,
    is_la_staff,
    is_manager,
)
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.exports.download import export_download
from cmetrack.exports.options import export_format, export_query, personal_wanted

from .exports import register_table
from .forms import AlertForm, EndForm, NoticeForm, RegisterFilterForm, ReviewForm
from .models import EheRecord, EheReview, EndReason
from .selectors import (
    Status,
    ehe_alerts_open,
    ehe_record_get,
    ehe_record_timeline,
    ehe_register,
)
from .services import (
    EheError,
    ehe_alert_acknowledge,
    ehe_record_end,
    ehe_record_open,
    ehe_review_record,
)

PAGE_SIZE = 25


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _record_url(record: EheRecord) -> str:
    return reverse("ehe:record", args=[record.public_id])


def _acting(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _put_back(form: forms.Form, error: EheError) -> None:
    """A service refusal goes on its field when the form has it, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


def _register_filters(request: HttpRequest) -> tuple[RegisterFilterForm, str, str]:
    """The register's status and review filters, read the same way by the page and its export."""
    form = RegisterFilterForm(request.GET or None)
    status, review = Status.OPEN, ""
    if form.is_valid():
        status = form.cleaned_data["status"] or Status.OPEN
        review = form.cleaned_data["review"]
    return form, status, review


@require_safe
@ehe_viewer_required
def register_view(request: HttpRequest) -> HttpResponse:
    """The register: filters name no child, so they stay in the URL."""
    form, status, review = _register_filters(request)
    page = Paginator(ehe_register(user=request.user, status=status, review=review), PAGE_SIZE)
    rows = page.get_page(request.GET.get("page"))
    # The list shows each child's name and date of birth: each is a view of the child.
    for record in rows.object_list:
        record_view(record.child)
    query = request.GET.copy()
    query.pop("page", None)
    alerts = list(ehe_alerts_open(user=request.user))
    for record in alerts:
        record_view(record.child)
    return render(
        request,
        "ehe/register.html",
        {
            "form": form,
            "page": rows,
            "query_string": query.urlencode(),
            "alerts": alerts,
            "can_add": can_record_ehe_notice(request.user),
            "can_acknowledge": can_acknowledge_ehe_alert(request.user),
            "can_export": _may_export_register(request.user),
            "export_query": export_query(request.GET),
        },
    )


def _may_export_register(user: AnyUser) -> bool:
    """The whole register leaves the system only with the EHE team or a manager: a CME officer
    reads it on the page (and each record), but does not take it away in bulk."""
    return can_work_ehe(user) or is_manager(user)


@require_safe
@ehe_viewer_required
def register_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register with the page's filters, every page of it, as CSV or XLSX."""
    if not _may_export_register(request.user):
        raise PermissionDenied("The register is exported by the EHE team and managers.")
    fmt = export_format(fmt)
    _form, status, review = _register_filters(request)
    table = register_table(
        ehe_register(user=request.user, status=status, review=review),
        include_personal=personal_wanted(request.GET),
    )
    return export_download(
        request,
        table,
        fmt=fmt,
        view="ehe register export",
        details={"status": status, "review": review},
    )


@require_safe
@ehe_viewer_required
def record_page(request: HttpRequest, public_id: str) -> HttpResponse:
    record = ehe_record_get(user=request.user, public_id=public_id)
    record_view(record)
    record_view(record.child)
    return render(
        request,
        "ehe/record.html",
        {
            "record": record,
            "child": record.child,
            "address": record.child.current_address,
            "contacts": list(record.child.contacts.all()),
            "timeline": ehe_record_timeline(record),
            "can_work": can_work_ehe(request.user) and record.is_open,
            "can_acknowledge": can_acknowledge_ehe_alert(request.user) and record.alert_open,
            "can_see_case": record.cme_case_id is not None and _sees_cases(request.user),
        },
    )


def _sees_cases(user: AnyUser) -> bool:
    # The CME team sees the case; an EHE officer sees its reference, not a link to a page
    # that refuses them.
    return is_la_staff(user)


def notice_add(request: HttpRequest) -> HttpResponse:
    _require(
        can_record_ehe_notice(request.user),
        "This page is for the local authority's EHE and CME teams.",
    )
    form = NoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record = ehe_record_open(
                start=form.start(), child_data=form.child_data(), by=_acting(request)
            )
        except EheError as error:
            _put_back(form, error)
        else:
            messages.success(
                request, f"{record.child.full_name} is on the register ({record.reference})."
            )
            return redirect(_record_url(record))
    return render(
        request,
        "ehe/form.html",
        {
            "form": form,
            "title": "Record a notice of home education",
            "back": reverse("ehe:register"),
        },
    )


def _record_form_page(
    request: HttpRequest,
    public_id: str,
    *,
    allowed: Callable[[AnyUser], bool],
    refusal: str,
    title: str,
    make_form: Callable[..., forms.Form],
    perform: Callable[[EheRecord, dict[str, Any], User], str],
) -> HttpResponse:
    """A form about one record: role first, then the record, then one service call."""
    _require(allowed(request.user), refusal)
    record = ehe_record_get(user=request.user, public_id=public_id)
    form = make_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            success = perform(record, form.cleaned_data, _acting(request))
        except EheError as error:
            _put_back(form, error)
        else:
            messages.success(request, success)
            return redirect(_record_url(record))
    # The page names the child: a view, recorded like the record's own page.
    record_view(record)
    record_view(record.child)
    return render(
        request,
        "ehe/form.html",
        {"form": form, "title": title, "record": record, "back": _record_url(record)},
    )


def _moved_message(record: EheRecord) -> str:
    record.refresh_from_db()
    case = record.cme_case
    return (
        f"The record has ended and {record.child.full_name} is missing education: "
        f"CME case {case.reference if case else ''} is open."
    )


def _review(record: EheRecord, data: dict[str, Any], by: User) -> str:
    ehe_review_record(
        record=record,
        reviewed_on=data["reviewed_on"],
        method=data["method"],
        outcome=data["outcome"],
        note=data["note"],
        next_review_due=data["next_review_due"],
        by=by,
    )
    if data["outcome"] == EheReview.Outcome.UNSUITABLE:
        return _moved_message(record)
    return "Review recorded."


def _end(record: EheRecord, data: dict[str, Any], by: User) -> str:
    ehe_record_end(
        record=record,
        end_date=data["end_date"],
        end_reason=data["end_reason"],
        note=data["note"],
        by=by,
    )
    if data["end_reason"] == EndReason.JUDGED_UNSUITABLE:
        return _moved_message(record)
    return "The record has ended."


def _acknowledge(record: EheRecord, data: dict[str, Any], by: User) -> str:
    ehe_alert_acknowledge(record=record, note=data["note"], by=by)
    return "Alert acknowledged."


def review_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return _record_form_page(
        request,
        public_id,
        allowed=can_work_ehe,
        refusal="Only the EHE team can record a review.",
        title="Record a review",
        make_form=ReviewForm,
        perform=_review,
    )


def record_end(request: HttpRequest, public_id: str) -> HttpResponse:
    return _record_form_page(
        request,
        public_id,
        allowed=can_work_ehe,
        refusal="Only the EHE team can end a record.",
        title="End the record",
        make_form=EndForm,
        perform=_end,
    )


def alert_acknowledge(request: HttpRequest, public_id: str) -> HttpResponse:
    return _record_form_page(
        request,
        public_id,
        allowed=can_acknowledge_ehe_alert,
        refusal="Only a manager can acknowledge this alert.",
        title="Acknowledge the child protection alert",
        make_form=AlertForm,
        perform=_acknowledge,
    )
