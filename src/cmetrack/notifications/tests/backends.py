"""Mail backends for the outbox's tests, named by dotted path in settings.EMAIL_BACKEND."""

from __future__ import annotations

from collections.abc import Sequence
from smtplib import SMTPDataError

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

REFUSING = "cmetrack.notifications.tests.backends.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything and, as some do, quotes the message back."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        message = email_messages[0]
        raise SMTPDataError(554, f"Rejected for policy: {message.subject}\n{message.body}")
