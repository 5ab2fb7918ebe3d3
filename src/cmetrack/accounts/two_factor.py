"""Two-factor sign-in with a time-based code (TOTP, any authenticator app), on django-otp.

Every signed-in user handles children's data, so when CMETRACK_REQUIRE_2FA is on (the default
in production) nobody reaches a page until this session is verified with a second factor:
users without a device enrol first (QR code drawn as inline SVG, no JavaScript), users with
one type the current code. django-otp throttles repeated wrong codes.
"""

from collections.abc import Callable
from typing import Any

import segno
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmetrack.audit.context import acting_as

from .models import User

SETUP_URL_NAME = "accounts:two-factor-setup"
VERIFY_URL_NAME = "accounts:two-factor-verify"


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        min_length=6,
        help_text="The 6-digit code, for example 123456",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the code from your authenticator app",
            "min_length": "Enter the 6-digit code",
        },
    )

    def __init__(self, *args: Any, submit: str = "Continue", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form>
        self.helper.layout = Layout(Field.text("token", field_width=5), Submit("submit", submit))

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def two_factor_enrolment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device, made once: reloading the page keeps the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        with acting_as(user):
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_confirm(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with acting_as(device.user):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


# --- middleware -----------------------------------------------------------------------------

_ALLOWED = {SETUP_URL_NAME, VERIFY_URL_NAME, "accounts:sign-out"}


class TwoFactorRequiredMiddleware:
    """After sign-in, every page waits for the second factor (when the setting is on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(settings, "CMETRACK_REQUIRE_2FA", False):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]  # added by OTPMiddleware
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _ALLOWED:
            return None
        # In development runserver serves static files through a view: let the CSS through.
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        target = VERIFY_URL_NAME if user_has_device(user) else SETUP_URL_NAME
        return redirect(_with_next(reverse(target), request.get_full_path()))


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


# --- views ----------------------------------------------------------------------------------


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("cases:dashboard")


def _qr_svg(device: TOTPDevice) -> SafeString:
    # segno writes the SVG itself from our own otpauth URL: no user text goes into it.
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code")
    return mark_safe(svg)  # noqa: S308


def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if user_has_device(user):
        return redirect(_with_next(reverse(VERIFY_URL_NAME), _next(request)))
    device = two_factor_enrolment(user=user)
    form = CodeForm(request.POST or None, submit="Turn on two-factor sign-in")
    if request.method == "POST" and form.is_valid():
        if two_factor_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on for your account")
            return redirect(_next(request))
        form.add_error(
            "token",
            "That code is not right: check the time on your phone and enter the newest code",
        )
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device),
            "secret": secret,
            "next": _next(request),
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user_has_device(user):
        return redirect(_with_next(reverse(SETUP_URL_NAME), _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "token", "That code is not right, or too many tries: wait and enter the newest code"
        )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": _next(request),
        },
    )
