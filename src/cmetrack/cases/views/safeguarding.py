"""Escalations, the enquiries checklist, closure approval and the enquiries-exhausted decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cmetrack.accounts.access import is_manager, la_staff_required
from cmetrack.accounts.models import User

from ..forms import NotApplicableForm
from ..models import ClosureRequest, Escalation
from ..safeguarding_forms import (
    EnquiriesExhaustedForm,
    EnquiryForm,
    ResolveEscalationForm,
    ReturnClosureForm,
)
from ..selectors import case_get, cases_visible_to
from ..services import (
    CaseError,
    case_enquiries_exhausted,
    closure_approve,
    closure_return,
    enquiry_checks_missing,
    enquiry_mark_not_applicable,
    enquiry_record,
    escalation_acknowledge,
    escalation_resolve,
)
from .actions import case_action_page


def _escalation(request: HttpRequest, public_id: str, escalation_id: str) -> Escalation:
    case = case_get(user=request.user, public_id=public_id)
    escalation = case.escalations.filter(public_id=escalation_id).first()
    if escalation is None:
        raise Http404("No such escalation.")
    return escalation


def _back(escalation: Escalation) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cases:detail", args=[escalation.case.public_id]))


@la_staff_required
@require_POST
def escalation_acknowledge_view(
    request: HttpRequest, public_id: str, escalation_id: str
) -> HttpResponse:
    escalation = _escalation(request, public_id, escalation_id)
    assert isinstance(request.user, User)
    try:
        escalation_acknowledge(escalation=escalation, by=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Escalation acknowledged")
    return _back(escalation)


@la_staff_required
def escalation_resolve_view(
    request: HttpRequest, public_id: str, escalation_id: str
) -> HttpResponse:
    escalation = _escalation(request, public_id, escalation_id)
    return case_action_page(
        request,
        public_id,
        title=f"Resolve the escalation: {escalation.trigger_label}",
        make_form=ResolveEscalationForm,
        perform=lambda c, d, by: escalation_resolve(
            escalation=escalation, action=d["action"], by=by
        ),
        success="Escalation resolved",
    )


@la_staff_required
def enquiry_add(request: HttpRequest, public_id: str) -> HttpResponse:
    return case_action_page(
        request,
        public_id,
        title="Record a reasonable enquiry",
        make_form=EnquiryForm,
        perform=lambda c, d, by: enquiry_record(
            case=c,
            check_type=d["check_type"],
            done_on=d["done_on"],
            done_by_name=d["done_by_name"],
            method=d["method"],
            result=d["result"],
            note=d["note"],
            by=by,
        ),
        success="Enquiry recorded",
    )


@la_staff_required
def enquiry_not_applicable(request: HttpRequest, public_id: str) -> HttpResponse:
    """Mark a check not yet recorded on the case as not applicable, with the reason."""
    case = case_get(user=request.user, public_id=public_id)
    missing = enquiry_checks_missing(case=case)
    chosen = next((c for c in missing if c.code == request.GET.get("check")), None)
    return case_action_page(
        request,
        public_id,
        title="Mark an enquiry not applicable",
        make_form=lambda data: NotApplicableForm(
            data, missing=missing, initial={"check_type": chosen}
        ),
        perform=lambda c, d, by: enquiry_mark_not_applicable(
            case=c, check_type=d["check_type"], reason=d["reason"], by=by
        ),
        success="Enquiry marked not applicable",
        template="cases/enquiry_not_applicable.html",
        context=lambda c: {"missing": missing},
    )


@la_staff_required
def enquiries_exhausted(request: HttpRequest, public_id: str) -> HttpResponse:
    if not is_manager(request.user):
        raise PermissionDenied("Only a CME manager can decide that enquiries are exhausted.")
    return case_action_page(
        request,
        public_id,
        title="Enquiries exhausted",
        make_form=EnquiriesExhaustedForm,
        perform=lambda c, d, by: case_enquiries_exhausted(
            case=c,
            off_roll_date=d["off_roll_date"],
            note=d["note"],
            by=by,
            expected_version=d.get("version"),
        ),
        success="Decision recorded: the child is untraced and under periodic review",
        template="cases/enquiries_exhausted.html",
        context=lambda c: {"missing": enquiry_checks_missing(case=c)},
    )


@la_staff_required
def approvals(request: HttpRequest) -> HttpResponse:
    """The managers' queue: closures waiting for approval, oldest first."""
    if not is_manager(request.user):
        raise PermissionDenied("The approvals queue is for CME managers.")
    pending = ClosureRequest.objects.filter(
        state=ClosureRequest.State.PENDING, case__in=cases_visible_to(request.user)
    ).select_related("case", "case__child", "requested_by")
    return render(request, "cases/approvals.html", {"pending": pending})


def _closure(request: HttpRequest, request_id: str) -> ClosureRequest:
    if not is_manager(request.user):
        raise PermissionDenied("Only a CME manager can decide a closure request.")
    closure = (
        ClosureRequest.objects.filter(public_id=request_id, case__in=cases_visible_to(request.user))
        .select_related("case")
        .first()
    )
    if closure is None:
        raise Http404("No such closure request.")
    return closure


@la_staff_required
@require_POST
def closure_approve_view(request: HttpRequest, request_id: str) -> HttpResponse:
    closure = _closure(request, request_id)
    assert isinstance(request.user, User)
    try:
        closure_approve(request=closure, by=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Closure approved: case {closure.case.reference} is closed")
    return HttpResponseRedirect(reverse("cases:approvals"))


@la_staff_required
def closure_return_view(request: HttpRequest, request_id: str) -> HttpResponse:
    closure = _closure(request, request_id)
    return case_action_page(
        request,
        str(closure.case.public_id),
        title="Send the closure back",
        make_form=ReturnClosureForm,
        perform=lambda c, d, by: closure_return(request=closure, reason=d["reason"], by=by),
        success="Closure sent back to the officer",
    )
