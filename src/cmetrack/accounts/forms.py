from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template import loader
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from cmetrack.notifications.services import email_queue

from .models import User
from .services import password_set

# NCSC's password guidance: length, and no composition rules. The validators (settings) ask
# for 12 characters and refuse common and all-digit passwords.
LENGTH_HINT = (
    "Use at least 12 characters. Three or more random words make a password that is long, "
    "easy to remember and hard to guess. Do not use a password you use anywhere else."
)


def _helper(*fields: str, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form>
    helper.layout = Layout(
        *(Field.text(name, field_width=20) for name in fields), Submit("submit", submit)
    )
    return helper


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {
        # The same words whether the username or the password was wrong: no account probing.
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = _helper("username", "password", submit="Sign in")


class NewPasswordForm(auth_forms.SetPasswordForm):
    """A new password, typed twice, checked by the configured validators (Django's form)."""

    # bandit reads the key as a password name; the value is the message shown.
    error_messages = {"password_mismatch": "The two passwords do not match"}  # nosec B105
    submit = "Save password"
    # Recorded on the user's audit trail when the form saves (what happened, never the password).
    audit_event = "password set"
    lift_pause = False

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, first.help_text = "New password", LENGTH_HINT
        first.error_messages["required"] = "Enter a new password"
        second.label, second.help_text = "Enter the new password again", ""
        second.error_messages["required"] = "Enter the new password again"
        self.helper = _helper(*self.fields, submit=self.submit)

    @sensitive_variables("password")
    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["new_password1"]
        password_set(
            user=self.user, password=password, how=self.audit_event, lift_pause=self.lift_pause
        )
        return self.user


class ResetPasswordForm(NewPasswordForm):
    audit_event = "password reset with an emailed link"
    lift_pause = True


class PasswordChangeForm(NewPasswordForm):
    """Change one's own password. The current password is checked through `authenticate`, so
    this door is throttled like the sign-in page: a stolen session cannot try passwords."""

    submit = "Change password"
    audit_event = "password changed"
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password"},
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("password")
    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError("Your current password is not right", code="password_incorrect")
        return password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Ask for a reset link by email. Whether or not the address has an account, the page that
    follows is the same; only an address with an active account gets an email."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The work email address your account was set up with"
        email.error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        }
        self.helper = _helper("email", submit="Send a reset link")

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Through the outbox (notifications): sent by the worker with retries, and the page
        # takes no longer for an address with an account than for one without. The link uses
        # CMETRACK_BASE_URL, never the request's Host header.
        link = settings.CMETRACK_BASE_URL + reverse(
            "accounts:password-reset-confirm", args=[context["uid"], context["token"]]
        )
        body_context = {"link": link, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        email_queue(
            to=[to_email],
            subject="".join(loader.render_to_string(subject_template_name).splitlines()),
            body=loader.render_to_string(email_template_name, body_context),
            kind="password-reset",
        )
