"""The administrators' user pages: the list, inviting, resending an invitation, deactivating
and reactivating. Everyone else is refused with 403 before anything is looked up. Reads go
through the selectors, changes through `user_admin`; both check the role again."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .access import administrator_or_refuse
from .models import User
from .selectors import (
    UserRow,
    organisations_for_invitation,
    user_for_administration,
    users_page_for_administration,
)
from .services import EnrolmentError
from .user_admin import (
    Invitation,
    UserAdminError,
    invitation_resend,
    user_deactivate,
    user_invite,
    user_reactivate,
)
from .user_admin_forms import InviteForm


def _administrator(request: HttpRequest) -> User:
    return administrator_or_refuse(request, "User management")


def _row(by: User, public_id: UUID) -> UserRow:
    row = user_for_administration(by=by, public_id=public_id)
    if row is None:
        raise Http404
    return row


def user_list(request: HttpRequest) -> HttpResponse:
    by = _administrator(request)
    page = users_page_for_administration(by=by, page=request.GET.get("page"))
    return render(request, "accounts/users/list.html", {"page": page, "query_string": ""})


def user_invite_page(request: HttpRequest) -> HttpResponse:
    by = _administrator(request)
    form = InviteForm(request.POST or None, organisations=organisations_for_invitation(by=by))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = user_invite(
                by=by,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                organisation=data["organisation"],
            )
        except ValidationError as error:
            # The model's checks, run again in the transaction: a race with another invitation.
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else "email", message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.user.email}. The link works for "
                f"{_hours(invitation)} hours.",
            )
            return redirect("accounts:user-detail", public_id=invitation.user.public_id)
    return render(request, "accounts/users/invite.html", {"form": form})


def _hours(invitation: Invitation) -> int:
    invite = invitation.invite
    return round((invite.expires_at - invite.created_at).total_seconds() / 3600)


def user_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    by = _administrator(request)
    row = _row(by, public_id)
    return render(
        request,
        "accounts/users/detail.html",
        {"row": row, "person": row.user, "is_self": row.user.pk == by.pk},
    )


@require_POST
def user_resend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    by = _administrator(request)
    person = _row(by, public_id).user
    try:
        invitation = invitation_resend(by=by, user=person)
    except (UserAdminError, EnrolmentError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"A new invitation has been sent to {person.email}. Any earlier link no longer works. "
            f"This one works for {_hours(invitation)} hours.",
        )
    return redirect("accounts:user-detail", public_id=person.public_id)


def user_deactivate_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """GET asks to confirm; POST deactivates."""
    by = _administrator(request)
    person = _row(by, public_id).user
    if request.method == "POST":
        try:
            user_deactivate(by=by, user=person)
        except UserAdminError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{person} can no longer sign in.")
        return redirect("accounts:user-detail", public_id=person.public_id)
    return render(request, "accounts/users/deactivate.html", {"person": person})


@require_POST
def user_reactivate_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    by = _administrator(request)
    person = _row(by, public_id).user
    try:
        user_reactivate(by=by, user=person)
    except UserAdminError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{person} can sign in again.")
    return redirect("accounts:user-detail", public_id=person.public_id)
