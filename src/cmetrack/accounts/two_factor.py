"""Two-factor sign-in with a time-based code (TOTP, any authenticator app), on django-otp.

Every signed-in user handles children's data, so when CMETRACK_REQUIRE_2FA is on (the default
in production) nobody reaches a page until this session is verified with a second factor.
A user with an authenticator types its current code, or one of their single-use recovery
codes. A user without one is told to ask an administrator for a set-up link: the authenticator
is enrolled only through that link (views.py, services.py), never with the password alone, or
whoever had the password could enrol their own phone and own the account's second factor.
django-otp throttles repeated wrong codes.
"""

from collections.abc import Callable
from typing import Any

import segno
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .services import recovery_codes_left, two_factor_verify

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


class VerifyForm(CodeForm):
    """The authenticator's code, or one of the user's recovery codes (8 letters and digits)."""

    token = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=20,  # a recovery code may be typed with spaces or a hyphen
        min_length=6,
        help_text="The 6-digit code, for example 123456, or one of your recovery codes",
        # No numeric keypad: recovery codes have letters.
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={
            "required": "Enter the code from your authenticator app, or a recovery code",
            "min_length": "Enter the 6-digit code, or a recovery code",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("token", field_width=10), Submit("submit", "Continue")
        )


# --- middleware -----------------------------------------------------------------------------

# The set-up link's pages are open too: a user told to ask for a link may open it while signed
# in with their password.
_ALLOWED = {
    SETUP_URL_NAME,
    VERIFY_URL_NAME,
    "accounts:sign-out",
    "accounts:set-up-link",
    "accounts:set-up-password",
    "accounts:set-up-two-factor",
}


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
    return mark_safe(svg)  # noqa: S308 - segno's SVG of our own URL # nosec B308 B703


def setup_page(
    request: HttpRequest,
    *,
    device: TOTPDevice,
    form: CodeForm,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """The page that shows an authenticator's QR code and key and asks for its first code.

    Only the set-up link reaches it (views.py): the secret on it is the second factor."""
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr": _qr_svg(device), "secret": secret, **context},
        status=status,
    )


def setup(request: HttpRequest) -> HttpResponse:
    """Where the middleware sends a signed-in user with no second factor: never a secret here,
    only how to get a set-up link."""
    user = request.user
    assert isinstance(user, User)
    if user_has_device(user):
        return redirect(_with_next(reverse(VERIFY_URL_NAME), _next(request)))
    return render(request, "accounts/two_factor_needs_link.html")


def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user_has_device(user):
        return redirect(_with_next(reverse(SETUP_URL_NAME), _next(request)))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor_verify(user=user, code=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                _recovery_code_used(request, user)
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


def _recovery_code_used(request: HttpRequest, user: User) -> None:
    left = recovery_codes_left(user=user)
    if left:
        messages.warning(
            request,
            f"You signed in with a recovery code. You have {left} left: each works once.",
        )
    else:
        messages.warning(
            request,
            "You signed in with your last recovery code. Ask your administrator for a new "
            "set-up link to get new ones.",
        )
