"""Pages partners use: send a return, a referral or a notification; see what they sent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cmetrack.accounts.access import (
    can_notify_as_other_la,
    can_refer,
    can_submit_school_returns,
    intake_user_required,
    is_la_staff,
)
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view
from cmetrack.exports.download import export_download
from cmetrack.exports.options import export_format, personal_wanted

from ..exports import my_submissions_table
from ..selectors import my_submissions, submission_get
from ..sending import (
    CME_REFERRAL,
    DELETION_RETURN,
    NEW_PUPIL_RETURN,
    OTHER_LA_NOTIFICATION,
    SendKind,
)
from ..services import IntakeError
from .common import show_error


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _submission_form(
    request: HttpRequest, *, kind: SendKind, title: str, intro: str
) -> HttpResponse:
    if not kind.allowed(request.user):
        raise PermissionDenied("You cannot send this.")
    user = _user(request)
    form = kind.form(request.POST or None, user=user)  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        try:
            submission = kind.submit(form, user)
        except IntakeError as error:
            show_error(form, error)
        else:
            label = submission.get_kind_display()
            messages.success(request, f"{label} sent. Your reference is {submission.reference}")
            return redirect(reverse("referrals:submission", args=[submission.public_id]))
    return render(request, "referrals/form.html", {"form": form, "title": title, "intro": intro})


def deletion_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        kind=DELETION_RETURN,
        title="Send a deletion return",
        intro="Tell the local authority about a pupil you are removing from your admission "
        "register (regulation 13), no later than the day you remove them. If you are late, send "
        "it anyway: every notice is recorded. For grounds (h) and (i) the local authority must "
        "confirm that joint enquiries are exhausted.",
    )


def new_pupil_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        kind=NEW_PUPIL_RETURN,
        title="Send a new-pupil return",
        intro="Tell the local authority about a pupil who has joined your admission register, "
        "within 5 school days of their first day.",
    )


def referral_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        kind=CME_REFERRAL,
        title="Refer a child missing education",
        intro="Refer a child who is missing education, or at risk of it. If you think the child "
        "is in danger now, call children's social care or the police first.",
    )


def other_la_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        kind=OTHER_LA_NOTIFICATION,
        title="Notify us about a child",
        intro="Tell us about a child who has moved (or may have moved) into this area, or ask "
        "whether we know a pupil who is missing from your area.",
    )


@intake_user_required
def my_submissions_view(request: HttpRequest) -> HttpResponse:
    if is_la_staff(request.user):
        return redirect("referrals:incoming")
    page = Paginator(my_submissions(user=request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/my_submissions.html",
        {
            "page": page,
            "can_return": can_submit_school_returns(request.user),
            "can_refer": can_refer(request.user),
            "can_notify": can_notify_as_other_la(request.user),
            "export_query": "",
        },
    )


@require_safe
@intake_user_required
def my_submissions_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everything the organisation sent (all pages), as CSV or XLSX. The CME team has no list
    of its own here: it is sent to the incoming queue's export, as the page sends it on."""
    fmt = export_format(fmt)
    if is_la_staff(request.user):
        target = reverse("referrals:incoming-export", args=[fmt])
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)
    table = my_submissions_table(
        my_submissions(user=request.user), include_personal=personal_wanted(request.GET)
    )
    return export_download(request, table, fmt=fmt, view="submissions export")


@intake_user_required
def submission_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    submission = submission_get(user=request.user, public_id=public_id)
    record_view(submission)
    if is_la_staff(request.user):
        return redirect("referrals:triage", public_id=submission.public_id)
    return render(
        request,
        "referrals/submission_detail.html",
        {"submission": submission, "detail": submission.detail},
    )
