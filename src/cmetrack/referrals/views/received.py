"""Another authority's view: hand-overs addressed to it, and its answer to each."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cmetrack.accounts.access import is_other_la_user
from cmetrack.accounts.models import User
from cmetrack.audit.services import record_view

from ..forms import HandoverReplyForm
from ..models import HandoverState
from ..selectors import handover_addressed_get, handovers_addressed_to
from ..services import HANDOVER_TRANSITIONS, IntakeError, handover_update
from .common import show_error

REPLIES = frozenset({HandoverState.ACKNOWLEDGED, HandoverState.ACCEPTED, HandoverState.DECLINED})


def _user(request: HttpRequest) -> User:
    if not is_other_la_user(request.user):
        raise PermissionDenied("This page is for other authorities' users.")
    assert isinstance(request.user, User)
    return request.user


def received_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request, "referrals/handovers_received.html", {"handovers": handovers_addressed_to(user)}
    )


def received_reply(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    note = handover_addressed_get(user=user, public_id=public_id)
    record_view(note)
    allowed = frozenset(
        s.value for s in HANDOVER_TRANSITIONS[HandoverState(note.handover_state)] if s in REPLIES
    )
    form = HandoverReplyForm(request.POST or None, allowed=allowed) if allowed else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            handover_update(
                notification=note,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except IntakeError as error:
            show_error(form, error)
        else:
            note.refresh_from_db()
            messages.success(
                request, f"Hand-over {note.reference}: {note.get_handover_state_display().lower()}"
            )
            return redirect(reverse("referrals:handovers-received"))
    status = 400 if form is not None and form.errors else 200
    return render(
        request, "referrals/handover_reply.html", {"note": note, "form": form}, status=status
    )
