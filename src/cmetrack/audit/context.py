from collections.abc import Iterator
from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from django.contrib.auth.models import AbstractBaseUser


@contextmanager
def acting_as(user: AbstractBaseUser | None) -> Iterator[None]:
    """Stamp audit entries written inside with this user, in a request or a command alike.

    auditlog's set_actor does not restore an outer context when it exits, so a service called
    inside a request would leave the request's receiver connected; we put the outer value back,
    also when the body raises.
    """
    outer = auditlog_value.get(None)
    try:
        with set_actor(user):
            yield
    finally:
        # Only after set_actor has disconnected its own receiver, which it finds through this
        # context variable: restoring earlier would make it disconnect the outer one.
        if outer is not None:
            auditlog_value.set(outer)
