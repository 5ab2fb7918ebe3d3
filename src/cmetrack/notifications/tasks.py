"""Background tasks of the outbox (django-tasks; the worker runs them). The argument is the
row's id, as a task's arguments are stored as JSON; the row holds everything else."""

from __future__ import annotations

from django_tasks import task

from .services import email_deliver


@task()
def email_deliver_task(email_id: int) -> None:
    """Send one recorded email, once: safe to run again, and safe if two run at once."""
    email_deliver(email_id)
