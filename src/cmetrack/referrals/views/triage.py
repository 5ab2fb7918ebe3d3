"""The CME team's incoming queue and triage actions; outbound hand-overs."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from cmetrack.accounts.access import is_manager, la_staff_required
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.cases.models import Case
from cmetrack.cases.selectors import case_get, cases_visible_to
from cmetrack.cases.views.pages import page_of, query_without_page
from cmetrack.exports.download import export_download
from cmetrack.exports.options import export_format, export_query, personal_wanted
from cmetrack.matching.other_sources import source_matches

from ..exports import incoming_table
from ..forms import (
    AskMoreForm,
    ConfirmEnquiriesForm,
    HandoverForm,
    HandoverUpdateForm,
    LinkCaseForm,
    NoActionForm,
    OpenCaseForm,
)
from ..models import (
    DeletionReturn,
    Direction,
    NewPupilReturn,
    OtherLaNotification,
    Submission,
    TriageState,
)
from ..selectors import (
    case_handovers,
    handover_get,
    incoming_waiting,
    likely_open_cases,
    matching_open_case,
    queue_items,
    submission_get,
)
from ..services import (
    IntakeError,
    deletion_confirm_enquiries,
    handover_send,
    handover_update,
    new_pupil_close_case,
    notification_information_request,
    submission_apply_route,
    submission_link_case,
    submission_no_action,
    submission_open_case,
)
from ..services.destinations import submission_record
from .common import show_error


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@la_staff_required
def incoming(request: HttpRequest) -> HttpResponse:
    page = page_of(request, incoming_waiting(user=request.user))
    return render(
        request,
        "referrals/incoming.html",
        {
            "page": page,
            "items": queue_items(page.object_list),
            "query_string": query_without_page(request.GET),
            "export_query": export_query(request.GET),
        },
    )


@require_safe
@la_staff_required
def incoming_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole queue, in its order, as CSV or XLSX."""
    fmt = export_format(fmt)
    table = incoming_table(
        incoming_waiting(user=request.user), include_personal=personal_wanted(request.GET)
    )
    return export_download(request, table, fmt=fmt, view="incoming export")


def _triage_page(
    request: HttpRequest, submission: Submission, **forms_: forms.Form | None
) -> HttpResponse:
    detail = submission.detail
    new = submission.triage_state == TriageState.NEW
    match = matching_open_case(user=request.user, submission=submission)
    likely = [] if match or not new else likely_open_cases(user=request.user, submission=submission)
    context = {
        "submission": submission,
        "detail": detail,
        "is_new": new,
        "match": match,
        "likely_cases": likely,
        "awaiting": isinstance(detail, DeletionReturn) and detail.awaiting_la_confirmation,
        "user_is_manager": is_manager(request.user),
        "is_new_pupil": isinstance(detail, NewPupilReturn),
        "open_form": OpenCaseForm(
            initial={
                "forenames": submission.forenames,
                "surname": submission.surname,
                "date_of_birth": submission.date_of_birth,
                "primary_reason": getattr(detail, "primary_reason_id", None),
            }
        ),
        "link_form": LinkCaseForm(),
        "no_action_form": NoActionForm(),
        "confirm_form": ConfirmEnquiriesForm(),
        # A notification from another authority may be asked about before it is triaged.
        "can_ask_more": new
        and isinstance(detail, OtherLaNotification)
        and detail.direction == Direction.INBOUND,
        "ask_more_form": AskMoreForm(),
        # Where else the child may be: on a school's roll today (matching.other_sources).
        "elsewhere": source_matches(submission_record(submission)) if new else [],
    }
    context.update({k: v for k, v in forms_.items() if v is not None})
    # The cases offered beside the submission show known children: each is a view.
    for case in [match, *(offer.case for offer in likely)]:
        if case is not None:
            record_view(case)
            record_view(case.child)
    status = 400 if any(f is not None and f.errors for f in forms_.values()) else 200
    return render(request, "referrals/triage.html", context, status=status)


@la_staff_required
def triage(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    record_view(submission)
    return _triage_page(request, submission)


def _after(request: HttpRequest, submission: Submission, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect(reverse("referrals:triage", args=[submission.public_id]))


def _simple_action(
    request: HttpRequest,
    public_id: str,
    perform: Callable[[Submission, User], str],
) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    try:
        text = perform(submission, _user(request))
    except IntakeError as error:
        messages.error(request, str(error))
        return redirect(reverse("referrals:triage", args=[submission.public_id]))
    return _after(request, submission, text)


@require_POST
@la_staff_required
def apply_route(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(s: Submission, u: User) -> str:
        done = submission_apply_route(submission=s, by=u)
        if done.case_id:
            return f"{done.reference}: {done.get_shared_status_display()} (case {done.case})"
        return f"{done.reference}: {done.get_shared_status_display()}"

    return _simple_action(request, public_id, perform)


@require_POST
@la_staff_required
def close_case(request: HttpRequest, public_id: str) -> HttpResponse:
    def perform(s: Submission, u: User) -> str:
        case = new_pupil_close_case(submission=s, by=u)
        return f"Case {case.reference} closed: on roll at {s.school}"

    return _simple_action(request, public_id, perform)


@require_POST
@la_staff_required
def open_case(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    form = OpenCaseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            case = submission_open_case(
                submission=submission,
                by=_user(request),
                primary_reason=d["primary_reason"],
                forenames=d["forenames"],
                surname=d["surname"],
                date_of_birth=d.get("date_of_birth"),
            )
        except IntakeError as error:
            show_error(form, error)
        else:
            return _after(request, submission, f"{submission.reference}: case {case} opened")
    return _triage_page(request, submission, open_form=form)


@require_POST
@la_staff_required
def link_case(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    form = LinkCaseForm(request.POST)
    if form.is_valid():
        case: Case | None = (
            cases_visible_to(request.user)
            .filter(reference__iexact=form.cleaned_data["reference"].strip())
            .first()
        )
        if case is None:
            form.add_error("reference", "There is no case with that reference")
        else:
            try:
                submission_link_case(submission=submission, case=case, by=_user(request))
            except IntakeError as error:
                show_error(form, error)
            else:
                return _after(request, submission, f"{submission.reference}: linked to {case}")
    return _triage_page(request, submission, link_form=form)


@require_POST
@la_staff_required
def no_action(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    form = NoActionForm(request.POST)
    if form.is_valid():
        try:
            submission_no_action(
                submission=submission,
                reason=form.cleaned_data["reason"],
                shared_status=form.cleaned_data["shared_status"],
                by=_user(request),
            )
        except IntakeError as error:
            show_error(form, error)
        else:
            return _after(request, submission, f"{submission.reference}: no action recorded")
    return _triage_page(request, submission, no_action_form=form)


@require_POST
@la_staff_required
def ask_more(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    form = AskMoreForm(request.POST)
    if form.is_valid():
        try:
            note = notification_information_request(
                notification=submission, question=form.cleaned_data["question"], by=_user(request)
            )
        except IntakeError as error:
            show_error(form, error)
        else:
            return _after(request, submission, f"{note.other_la_name} asked for more information")
    return _triage_page(request, submission, ask_more_form=form)


@require_POST
@la_staff_required
def confirm_enquiries(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    form = ConfirmEnquiriesForm(request.POST)
    if form.is_valid():
        try:
            deletion = DeletionReturn.objects.get(pk=submission.pk)
            done = deletion_confirm_enquiries(
                deletion=deletion,
                note=form.cleaned_data["note"],
                removal_agreed_on=form.cleaned_data.get("removal_agreed_on"),
                by=_user(request),
            )
        except DeletionReturn.DoesNotExist:
            form.add_error(None, "Only a deletion return needs this confirmation.")
        except IntakeError as error:
            show_error(form, error)
        else:
            extra = f"; case {done.case}" if done.case_id else ""
            agreed = f"{done.removal_agreed_on:%d/%m/%Y}" if done.removal_agreed_on else ""
            return _after(
                request,
                submission,
                f"Joint enquiries exhausted: removal agreed on {agreed}{extra}",
            )
    return _triage_page(request, submission, confirm_form=form)


@la_staff_required
def handover_create(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_get(user=request.user, public_id=public_id)
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            note = handover_send(
                case=case,
                other_la_name=d["other_la_name"],
                other_la_code=d["other_la_code"],
                new_address=d["new_address"],
                concerns=d["concerns"],
                by=_user(request),
            )
        except IntakeError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Hand-over {note.reference} sent to {note.other_la_name}")
            return redirect(reverse("referrals:handovers", args=[case.public_id]))
    return render(
        request,
        "referrals/handovers.html",
        {"case": case, "form": form, "handovers": case_handovers(user=request.user, case=case)},
    )


@la_staff_required
def handover_change(request: HttpRequest, public_id: str) -> HttpResponse:
    note = handover_get(user=request.user, public_id=public_id)
    form = HandoverUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            handover_update(
                notification=note,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                by=_user(request),
            )
        except IntakeError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Hand-over {note.reference} updated")
            assert note.case is not None
            return redirect(reverse("referrals:handovers", args=[note.case.public_id]))
    return render(
        request,
        "referrals/form.html",
        {
            "form": form,
            "title": f"Hand-over {note.reference} to {note.other_la_name}",
            "intro": f"Now {note.get_handover_state_display().lower()}. Accepting closes the "
            "case; declining or withdrawing returns it to enquiries.",
        },
    )
