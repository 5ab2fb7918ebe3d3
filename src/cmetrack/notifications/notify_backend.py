"""GOV.UK Notify as Django's email backend, chosen by configuration instead of SMTP:

    CMETRACK_EMAIL_BACKEND=cmetrack.notifications.notify_backend.NotifyEmailBackend
    CMETRACK_NOTIFY_API_KEY=<the service's API key>
    CMETRACK_NOTIFY_TEMPLATE_ID=<an email template whose subject is ((subject)) and body ((body))>

Notify sends from templates kept in its dashboard, so one template with two placeholders
carries every email the outbox writes; the outbox's own subject and body fill them. The
outbox's reference (a case or submission reference, never a name) goes with each email as
Notify's `reference`, so the team can find it in Notify's delivery reports.

A refusal or a network failure raises, as the SMTP backend does, so the outbox records the
failure and the worker retries (notifications.services). `fail_silently` is honoured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


def _setting(name: str) -> str:
    value = str(getattr(settings, name, "") or "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set to send email through GOV.UK Notify")
    return value


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.template_id = _setting("CMETRACK_NOTIFY_TEMPLATE_ID")
        self.client = NotificationsAPIClient(
            _setting("CMETRACK_NOTIFY_API_KEY"),
            base_url=getattr(settings, "CMETRACK_NOTIFY_BASE_URL", "") or DEFAULT_BASE_URL,
            timeout=int(getattr(settings, "EMAIL_TIMEOUT", 30) or 30),
        )

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            reference = message.extra_headers.get("X-Cmetrack-Reference") or None
            try:
                for address in message.recipients():
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                        reference=reference,
                    )
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent
