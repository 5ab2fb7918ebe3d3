"""Writes to the outbox: queue an email, deliver it once, and prompt the retries that are due.

`email_queue` records the email and enqueues its delivery task in the caller's transaction, not
on commit. With the database task backend the task row is written beside the email row, so the
two commit together or not at all (a transactional outbox): the worker never sees an email of
work that was rolled back, and committed work never lacks its email. With the immediate backend
(tests, `make run`, a very small site) the email is sent at once, inside the caller's
transaction: a rollback after that cannot recall it, a gap only the database backend closes.

`email_deliver` claims the row with a conditional UPDATE before sending, so of two workers (or a
retry and the first attempt) only one sends. Delivery is at least once: a worker that dies
between the mail server accepting an email and the row saying so will send it again after
`SENDING_STALLED`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, router, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)
# A queued email's task should have run within minutes; after this, treat it as lost.
QUEUED_TASK_LOST = timedelta(minutes=10)
# A send takes seconds; a row still 'sending' after this was left by a worker that stopped.
SENDING_STALLED = timedelta(minutes=30)
DEFAULT_MAX_ATTEMPTS = 8
ERROR_MESSAGE_CHARS = 300

KIND = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def max_attempts() -> int:
    """Read at each use, so settings need not name it: CMETRACK_EMAIL_MAX_ATTEMPTS."""
    return max(1, int(getattr(settings, "CMETRACK_EMAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def retry_wait(attempts: int) -> timedelta:
    """5 minutes after the first failure, doubling each time, never more than 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def email_queue(
    *, to: Sequence[str], subject: str, body: str, kind: str, reference: str = ""
) -> OutboundEmail | None:
    """Record an email and enqueue its delivery. Nothing is recorded for no recipients.

    Call it inside the transaction of the work the email is about. Returns the row as recorded
    (with the immediate backend it has been delivered by the time this returns; refresh it)."""
    if isinstance(to, str):  # a bare address would be read as a list of characters
        raise TypeError("to must be a list of addresses, not a string")
    if not KIND.match(kind):
        raise ValueError(f"kind must be a short slug such as 'acknowledgement', not {kind!r}")
    addresses = [address.strip() for address in to if address and address.strip()]
    if not addresses:
        return None
    # Inside the caller's transaction no savepoint of its own: a failure here rolls back the
    # caller's work with it (all or nothing); outside one, the email and its task are one.
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        email = OutboundEmail.objects.create(
            to=addresses,
            subject=subject,
            body=body,
            kind=kind,
            reference=reference,
            created_at=now,
            next_attempt_at=now,
        )
        _enqueue(email)
    return email


def _task_written_beside(task: object, email: OutboundEmail) -> bool:
    """Whether enqueueing `task` is one INSERT in the email's own database and transaction
    (the database task backend, production's)."""
    get_backend = getattr(task, "get_backend", None)
    if get_backend is None:
        return False
    from django_tasks_db import DatabaseBackend

    if not isinstance(get_backend(), DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    return router.db_for_write(DBTaskResult) == email._state.db


def _enqueue(email: OutboundEmail) -> bool:
    """Enqueue the delivery task; whether it was. A failure of the task backend leaves the row
    queued for `emails_retry_due`, never failing the work the email is about.

    With the database task backend the task is one INSERT beside the email, in the same
    transaction, with no savepoint: a database error there leaves the transaction unable to go
    on (PostgreSQL refuses every later statement), so it is raised, and the email, its task
    and the caller's work are rolled back together. Any other backend (one reached over the
    network, or the immediate one, which sends at once) runs in a savepoint, which undoes
    only the task's half, never the email."""
    from .tasks import email_deliver_task  # the tasks module imports this one

    if _task_written_beside(email_deliver_task, email):
        try:
            email_deliver_task.enqueue(email.pk)
        except DatabaseError:
            raise
        except Exception:
            _not_queued(email)
            return False
        return True
    try:
        with transaction.atomic():
            email_deliver_task.enqueue(email.pk)
    except Exception:
        _not_queued(email)
        return False
    return True


def _not_queued(email: OutboundEmail) -> None:
    logger.warning(
        "Email %s (%s) recorded but its delivery not queued; the retry job will queue it",
        email.public_id,
        email.kind,
        exc_info=True,
    )


def email_deliver(email_id: int) -> str:
    """Send one recorded email if it is due and no one else is sending it. Never raises for a
    failed send: the row records it and the retry job tries again later. Returns what happened:
    "sent", "failed", "gave_up", or "skipped" (sent already, being sent, not due, or gone)."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
        pk=email_id,
        status__in=[Status.QUEUED, Status.FAILED],
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return "skipped"
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        _message(email).send()
    except Exception as error:  # any failure of the mail backend, SMTP or network
        return _record_failure(email, error)
    _this_attempt(email).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return Status.SENT.value


def _message(email: OutboundEmail) -> EmailMessage:
    """The email as the backend sends it. The reference (a case or submission reference, never
    a name) rides in a header, for the Notify backend and for anyone tracing a delivery."""
    headers = {"X-Cmetrack-Reference": email.reference} if email.reference else None
    return EmailMessage(email.subject, email.body, None, list(email.to), headers=headers)


def _this_attempt(email: OutboundEmail) -> QuerySet[OutboundEmail]:
    """The row while it is still this attempt's, so a worker presumed dead that comes back
    late cannot overwrite the outcome of a later attempt."""
    return OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING, attempts=email.attempts)


def _record_failure(email: OutboundEmail, error: Exception) -> str:
    now = timezone.now()
    gave_up = email.attempts >= max_attempts()
    status = Status.GAVE_UP if gave_up else Status.FAILED
    next_attempt_at = None if gave_up else now + retry_wait(email.attempts)
    _this_attempt(email).update(
        status=status, next_attempt_at=next_attempt_at, last_error=error_text(error, email.body)
    )
    # The id and kind only: the addresses, the body and the server's message stay out of logs.
    log = logger.error if gave_up else logger.warning
    log(
        "Email %s (%s) attempt %d failed with %s; %s",
        email.public_id,
        email.kind,
        email.attempts,
        type(error).__name__,
        "giving up" if gave_up else f"next attempt after {_local(next_attempt_at)}",
    )
    return status.value


def _local(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def error_text(error: BaseException, body: str) -> str:
    """The exception's class and the first 300 characters of its message, for the status page.
    A mail server may quote what it refused, so any line of the body is cut out first."""
    message = str(error)
    for line in {line.strip() for line in body.splitlines()}:
        if len(line) >= 8:
            message = message.replace(line, "[body removed]")
    return f"{type(error).__name__}: {message[:ERROR_MESSAGE_CHARS]}"


def emails_retry_due() -> int:
    """For the scheduler, every few minutes: queue again the delivery of failed emails whose
    wait is over, of queued ones whose task seems lost, and of ones a stopped worker left
    'sending'. Returns how many were queued. Safe if two run at once: each row is taken by a
    conditional UPDATE, and the claim in `email_deliver` decides who sends."""
    now = timezone.now()
    _release_stalled(now)
    pks = OutboundEmail.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    return sum(_prompt(pk, now) for pk in pks.values_list("pk", flat=True))


def _due(now: datetime) -> Q:
    return Q(status=Status.FAILED, next_attempt_at__lte=now) | Q(
        status=Status.QUEUED, next_attempt_at__lte=now - QUEUED_TASK_LOST
    )


def _prompt(pk: int, now: datetime) -> bool:
    """Mark the row queued and due now, and enqueue its delivery, unless another run did.
    Bumping next_attempt_at keeps the next run from queueing it again while its task waits
    behind other work (a long import, say)."""
    with transaction.atomic():
        taken = OutboundEmail.objects.filter(_due(now), pk=pk).update(
            status=Status.QUEUED, next_attempt_at=now
        )
        if not taken:
            return False
        email = OutboundEmail.objects.only("pk", "public_id", "kind").get(pk=pk)
        return _enqueue(email)


def _release_stalled(now: datetime) -> None:
    """A row left 'sending' by a worker that stopped: try it again, or give up if that was
    its last attempt. It may have gone before the worker stopped; we cannot know."""
    stalled = OutboundEmail.objects.filter(
        status=Status.SENDING, last_attempt_at__lt=now - SENDING_STALLED
    )
    note = "Stopped while sending: the worker stopped or lost the mail server"
    stalled.filter(attempts__gte=max_attempts()).update(
        status=Status.GAVE_UP, next_attempt_at=None, last_error=note
    )
    stalled.filter(attempts__lt=max_attempts()).update(
        status=Status.FAILED, next_attempt_at=now, last_error=note
    )
