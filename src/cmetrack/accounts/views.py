"""Account pages besides sign-in and the second factor: the set-up link, password change and
reset, the "too many attempts" page, and the admin site's sign-in door."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from . import two_factor
from .forms import NewPasswordForm, PasswordChangeForm, PasswordResetForm, ResetPasswordForm
from .models import EnrolmentInvite, User
from .selectors import enrolment_invite_find, enrolment_invite_get
from .services import (
    EnrolmentError,
    enrolment_invite_device,
    enrolment_invite_redeem,
    enrolment_invite_set_password,
)

INVITE_SESSION_KEY = "cmetrack_set_up_invite"
# Reset emails to one email address, whoever asks.
RESET_EMAILS_PER_ADDRESS = "3/h"


# --- the "too many attempts" page -------------------------------------------------------------


def _wait_words(wait: timedelta | None) -> str:
    minutes = int((wait or timedelta(minutes=30)).total_seconds() // 60)
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What axes answers once an account or an address is paused (AXES_LOCKOUT_CALLABLE).

    The same page whether or not the account exists, and it names neither the account nor
    which limit was reached."""
    return render(
        request,
        "accounts/locked_out.html",
        {"wait": _wait_words(get_cool_off(request))},
        status=429,
    )


# --- the admin site's sign-in -------------------------------------------------------------


@login_not_required
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """/admin/login/ is not a second password door: it sends people to the site's sign-in,
    which is throttled and asks for the second factor, and which then returns them to admin."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            wanted = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
                return redirect(wanted)
            return redirect("admin:index")
        # Signed in, but not an administrator: the admin site would send them back here, and
        # the sign-in page back to the admin site, for ever.
        raise PermissionDenied("Django admin is for administrators.")
    wanted = request.GET.get("next") or reverse("admin:index")
    return redirect(reverse("accounts:sign-in") + "?" + urlencode({"next": wanted}))


# --- the set-up link ------------------------------------------------------------------------


@login_not_required
@never_cache
def set_up_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link an administrator issued. A wrong, used, replaced or expired token is a plain 404
    that says nothing about which. A good one is remembered in this browser's session and the
    token leaves the address bar (as Django's password reset does), so it is not left in the
    history or sent on in a Referer."""
    invite = enrolment_invite_find(token=token)
    if invite is None:
        raise Http404
    if request.user.is_authenticated:
        # Whoever was signed in on this browser (someone else, or the holder with the password
        # alone, whose session the new password would end anyway) is signed out; the link's
        # last step signs its holder in, second factor and all.
        logout(request)
    request.session[INVITE_SESSION_KEY] = invite.pk
    return redirect("accounts:set-up-password")


def _session_invite(request: HttpRequest) -> EnrolmentInvite:
    pk = request.session.get(INVITE_SESSION_KEY)
    invite = enrolment_invite_get(pk=pk) if isinstance(pk, int) else None
    if invite is None:
        request.session.pop(INVITE_SESSION_KEY, None)
        raise Http404
    return invite


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def set_up_password(request: HttpRequest) -> HttpResponse:
    invite = _session_invite(request)
    if invite.password_set_at is not None:
        return redirect("accounts:set-up-two-factor")
    form = NewPasswordForm(invite.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_invite_set_password(
                invite=invite, password=form.cleaned_data["new_password1"]
            )
        except EnrolmentError:
            raise Http404 from None
        return redirect("accounts:set-up-two-factor")
    return render(
        request,
        "accounts/set_up_password.html",
        {"form": form, "invited": invite.user},
    )


@login_not_required
@never_cache
def set_up_two_factor(request: HttpRequest) -> HttpResponse:
    invite = _session_invite(request)
    if invite.password_set_at is None:
        return redirect("accounts:set-up-password")
    device = enrolment_invite_device(invite=invite)
    form = two_factor.CodeForm(request.POST or None, submit="Turn on two-factor sign-in")
    if request.method == "POST" and form.is_valid():
        try:
            codes = enrolment_invite_redeem(invite=invite, code=form.cleaned_data["token"])
        except EnrolmentError:
            raise Http404 from None
        if codes is not None:
            return _enrolled(request, invite.user, codes)
        form.add_error(
            "token",
            "That code is not right: check the time on your phone and enter the newest code",
        )
    return two_factor.setup_page(
        request, device=device, form=form, step="2 of 2", invited=invite.user
    )


def _enrolled(request: HttpRequest, user: User, codes: list[str]) -> HttpResponse:
    """Sign the user in, second factor verified, and show the recovery codes this once (they
    are not kept in the session; the page is not cached)."""
    request.session.pop(INVITE_SESSION_KEY, None)
    device = TOTPDevice.objects.get(user=user, confirmed=True)  # the only one left
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


# --- passwords ------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. Throttled by address (CMETRACK_PASSWORD_RESET_RATE, a "too many
    requests" page) and by email address (silently: the same "check your email" page, but no
    more emails, so nobody can fill a colleague's inbox from many machines)."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_ratelimited(
            request,
            group="accounts-password-reset",
            key="ip",
            rate=settings.CMETRACK_PASSWORD_RESET_RATE,
            method="POST",
            increment=True,
        ):
            return render(request, "accounts/too_many_requests.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if is_ratelimited(
            self.request,
            group="accounts-password-reset-email",
            key=_email_key,
            rate=RESET_EMAILS_PER_ADDRESS,
            method="POST",
            increment=True,
        ):
            return redirect(self.get_success_url())
        return super().form_valid(form)


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
