"""Pages partners use: send a return, a referral or a notification; see what they sent."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cmetrack.accounts.access import (
    AnyUser,
    can_notify_as_other_la,
    can_refer,
    can_submit_school_returns,
    intake_user_required,
    is_la_staff,
)
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view

from ..forms import CmeReferralForm, DeletionReturnForm, NewPupilReturnForm, OtherLaNotificationForm
from ..models import Submission
from ..selectors import my_submissions, submission_get
from ..services import (
    IntakeError,
    cme_referral_submit,
    deletion_return_submit,
    new_pupil_return_submit,
    other_la_notification_submit,
)
from .common import show_error


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _submission_form(
    request: HttpRequest,
    *,
    allowed: Callable[[AnyUser], bool],
    make_form: Callable[..., forms.Form],
    submit: Callable[[forms.Form, User], Submission],
    title: str,
    intro: str,
) -> HttpResponse:
    if not allowed(request.user):
        raise PermissionDenied("You cannot send this.")
    user = _user(request)
    form = make_form(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submit(form, user)
        except IntakeError as error:
            show_error(form, error)
        else:
            kind = submission.get_kind_display()
            messages.success(request, f"{kind} sent. Your reference is {submission.reference}")
            return redirect(reverse("referrals:submission", args=[submission.public_id]))
    return render(request, "referrals/form.html", {"form": form, "title": title, "intro": intro})


def _school(user: User) -> Any:
    return user.organisation.school if user.organisation else None


def deletion_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        allowed=can_submit_school_returns,
        make_form=DeletionReturnForm,
        submit=lambda f, u: deletion_return_submit(
            data=f.to_data(_school(u)),  # type: ignore[attr-defined]
            by=u,
        ),
        title="Send a deletion return",
        intro="Tell the local authority about a pupil you are removing from your admission "
        "register (regulation 13), no later than the day you remove them. If you are late, send "
        "it anyway: every notice is recorded. For grounds (h) and (i) the local authority must "
        "confirm that joint enquiries are exhausted.",
    )


def new_pupil_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        allowed=can_submit_school_returns,
        make_form=NewPupilReturnForm,
        submit=lambda f, u: new_pupil_return_submit(
            data=f.to_data(_school(u)),  # type: ignore[attr-defined]
            by=u,
        ),
        title="Send a new-pupil return",
        intro="Tell the local authority about a pupil who has joined your admission register, "
        "within 5 school days of their first day.",
    )


def referral_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        allowed=can_refer,
        make_form=CmeReferralForm,
        submit=lambda f, u: cme_referral_submit(data=f.to_data(u), by=u),  # type: ignore[attr-defined]
        title="Refer a child missing education",
        intro="Refer a child who is missing education, or at risk of it. If you think the child "
        "is in danger now, call children's social care or the police first.",
    )


def other_la_create(request: HttpRequest) -> HttpResponse:
    return _submission_form(
        request,
        allowed=can_notify_as_other_la,
        make_form=OtherLaNotificationForm,
        submit=lambda f, u: other_la_notification_submit(
            data=f.to_data(),  # type: ignore[attr-defined]
            by=u,
        ),
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
        },
    )


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
