"""Background tasks of the exchange (django-tasks; the worker runs them). The argument is the
outbox row's id, as a task's arguments are stored as JSON; the row holds everything else.
The scheduled job (operations/jobs.py, `exchange-retry`) delivers whatever a lost prompt or a
failed attempt left waiting."""

from __future__ import annotations

from django_tasks import task

from .services.outbox import message_deliver


@task()
def exchange_deliver_task(message_id: int) -> None:
    """Deliver one outbox message if it is due: safe to run again, and safe if two run at
    once (the delivery claims the row)."""
    message_deliver(message_id)
