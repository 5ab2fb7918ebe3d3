"""The outbox against real servers on 127.0.0.1, started by the tests: an SMTP server
(aiosmtpd) that first refuses and then accepts, and an HTTP server speaking GOV.UK Notify's
email endpoint that checks each request's signed token as Notify does. Nothing is mocked: the
email goes through Django's SMTP backend or the Notify client, over a socket."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django import Settings

from cmetrack.notifications.models import OutboundEmail
from cmetrack.notifications.services import email_deliver

from .helpers import ADDRESS, START, queue

pytestmark = pytest.mark.django_db

Status = OutboundEmail.Status


class Mailbox:
    """aiosmtpd's handler: keeps what it accepts; refuses the first `refuse` messages."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 Try again later"
        content = envelope.original_content or b""
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"


def _free_port() -> int:
    """A port nothing listens on now (aiosmtpd's controller needs one named: it connects to
    its own port to see that the server is up, so port 0 will not do)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Settings) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield mailbox
    finally:
        controller.stop()


def test_an_email_goes_through_a_real_smtp_server_with_its_reference(smtp: Mailbox) -> None:
    email = queue(subject="cmetrack: 2 overdue tasks", reference="CME-7K3P-Q9XW")

    assert email.status == Status.SENT
    ((recipients, message),) = smtp.received
    assert recipients == [ADDRESS]
    assert message["Subject"] == "cmetrack: 2 overdue tasks"
    assert message["X-Cmetrack-Reference"] == "CME-7K3P-Q9XW"
    assert "Sign in to see it: http://127.0.0.1:8000/cases/" in message.get_payload()


def test_a_refusing_server_is_recorded_and_the_retry_delivers(smtp: Mailbox) -> None:
    smtp.refuse = 1
    with time_machine.travel(START, tick=False):
        email = queue()
    assert email.status == Status.FAILED and smtp.received == []
    assert "451" in email.last_error

    with time_machine.travel(START.replace(hour=10), tick=False):
        assert email_deliver(email.pk) == "sent"

    email.refresh_from_db()
    assert (email.status, email.attempts, len(smtp.received)) == (Status.SENT, 2, 1)


def test_a_mail_server_that_is_not_there_is_a_failure_to_retry(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    settings.EMAIL_TIMEOUT = 2

    email = queue()

    assert email.status == Status.FAILED and email.next_attempt_at is not None


# --- GOV.UK Notify -----------------------------------------------------------------------------

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"cmetrack_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


class NotifyLike(BaseHTTPRequestHandler):
    """POST /v2/notifications/email as Notify answers it: 403 without a valid token signed
    with the service's secret, 400 for a template it does not know, else 201."""

    received: list[dict[str, Any]] = []
    fail_next = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            valid = claims["iss"] == SERVICE_ID and abs(time.time() - claims["iat"]) < 30
        except jwt.PyJWTError:
            valid = False
        if self.path != "/v2/notifications/email" or not valid:
            self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
        elif type(self).fail_next:
            type(self).fail_next -= 1
            self._answer(500, {"errors": [{"error": "Exception", "message": "Internal error"}]})
        elif body.get("template_id") != TEMPLATE_ID:
            self._answer(400, {"errors": [{"error": "BadRequestError", "message": "Template"}]})
        else:
            type(self).received.append(body)
            self._answer(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def notify(settings: Settings) -> Iterator[type[NotifyLike]]:
    NotifyLike.received, NotifyLike.fail_next = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotifyLike)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.EMAIL_BACKEND = "cmetrack.notifications.notify_backend.NotifyEmailBackend"
        settings.CMETRACK_NOTIFY_API_KEY = API_KEY
        settings.CMETRACK_NOTIFY_TEMPLATE_ID = TEMPLATE_ID
        settings.CMETRACK_NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
        yield NotifyLike
    finally:
        server.shutdown()
        server.server_close()


def test_with_the_notify_backend_the_email_goes_to_notify_with_its_reference(
    notify: type[NotifyLike],
) -> None:
    email = queue(subject="cmetrack: a referral", reference="REF-00042")

    assert email.status == Status.SENT
    (sent,) = notify.received
    assert sent["email_address"] == ADDRESS and sent["template_id"] == TEMPLATE_ID
    assert sent["reference"] == "REF-00042"
    assert sent["personalisation"]["subject"] == "cmetrack: a referral"
    assert "Sign in to see it" in sent["personalisation"]["body"]


def test_a_notify_error_is_recorded_and_retried(notify: type[NotifyLike]) -> None:
    notify.fail_next = 1
    with time_machine.travel(START, tick=False):
        email = queue()
    assert email.status == Status.FAILED and notify.received == []

    with time_machine.travel(START.replace(hour=10), tick=False):
        assert email_deliver(email.pk) == "sent"
    assert len(notify.received) == 1


def test_a_wrong_api_key_is_refused_by_notify_and_recorded(
    notify: type[NotifyLike], settings: Settings
) -> None:
    settings.CMETRACK_NOTIFY_API_KEY = f"cmetrack_test-{SERVICE_ID}-{uuid.uuid4()}"

    email = queue()

    assert email.status == Status.FAILED and notify.received == []
    assert "403" in email.last_error or "Invalid token" in email.last_error


def test_the_notify_backend_without_its_settings_says_what_is_missing(settings: Settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from cmetrack.notifications.notify_backend import NotifyEmailBackend

    settings.CMETRACK_NOTIFY_TEMPLATE_ID = ""
    with pytest.raises(ImproperlyConfigured, match="CMETRACK_NOTIFY_TEMPLATE_ID"):
        NotifyEmailBackend()
