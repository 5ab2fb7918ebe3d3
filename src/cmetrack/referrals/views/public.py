"""The public concern form: no sign-in, a reference on submit, and nothing that reveals
whether the child is known to the authority."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.core import is_ratelimited

from ..forms import PublicConcernForm
from ..models import Kind, new_reference
from ..services import IntakeError, public_concern_submit
from .common import show_error

SESSION_KEY = "intake_public_reference"


def _rate() -> str:
    return str(getattr(settings, "CMETRACK_PUBLIC_CONCERN_RATE", "5/h"))


@login_not_required
def concern_create(request: HttpRequest) -> HttpResponse:
    form = PublicConcernForm(request.POST or None)
    if request.method == "POST":
        # Per address, counted on every attempt: a flood of bad posts is limited too. "ip" is
        # the real client's address behind our trusted proxies (RATELIMIT_IP_META_KEY, the
        # accounts.client_address rule), counted in the shared cache (RATELIMIT_USE_CACHE).
        if is_ratelimited(
            request, group="intake-public-concern", key="ip", rate=_rate(), method="POST",
            increment=True,
        ):  # fmt: skip
            return render(request, "referrals/public_limited.html", status=429)
        if form.is_bot:
            # Look exactly like success, write nothing: the bot learns nothing.
            request.session[SESSION_KEY] = new_reference(Kind.PUBLIC)
            return redirect("referrals:concern-received")
        if form.is_valid():
            try:
                concern = public_concern_submit(data=form.to_data())
            except IntakeError as error:
                show_error(form, error)
            else:
                request.session[SESSION_KEY] = concern.reference
                return redirect("referrals:concern-received")
    return render(request, "referrals/public_concern.html", {"form": form})


@login_not_required
def concern_received(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop(SESSION_KEY, None)
    if reference is None:
        return redirect("referrals:concern")
    return render(
        request,
        "referrals/public_received.html",
        {"reference": reference},
    )
