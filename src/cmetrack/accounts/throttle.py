"""Sign-in throttling on django-axes: one limit for an account, a higher one for an address.

Axes counts failed password checks (every door goes through `authenticate`: the sign-in page,
the admin's sign-in, which redirects there, and the current-password check of the change-
password page) by each of AXES_LOCKOUT_PARAMETERS, here the account ("username") and the
client's address ("ip_address"), each on its own. Axes compares every count against the one
AXES_FAILURE_LIMIT. An account and an address deserve different limits: a council office or a
school signs in from one public address, so a handful of people mistyping on a Monday
morning must not shut the whole office out, while one account should be paused soon. So this
handler pauses when either count reaches its own limit:

- an account after AXES_FAILURE_LIMIT failures (CMETRACK_SIGNIN_FAILURE_LIMIT, 10), from any
  address: guessing one person's password is slow whatever addresses the guesser uses;
- an address after CMETRACK_SIGNIN_ADDRESS_FAILURE_LIMIT failures (30), over any accounts:
  one machine trying a common password against many accounts is slowed too.

A pause lasts AXES_COOLOFF_TIME (CMETRACK_SIGNIN_COOLOFF_MINUTES, 30) from the last counted
failure. That is throttling rather than a lockout an administrator must lift (NCSC's password
guidance prefers it): the owner can always wait it out, and an administrator can lift it sooner.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

DEFAULT_ADDRESS_FAILURE_LIMIT = 30


def failure_limit_for(parameter: str | list[str], account_limit: int) -> int:
    """The limit for one of AXES_LOCKOUT_PARAMETERS: the address's, or axes' own for the rest."""
    if parameter == "ip_address" or parameter == ["ip_address"]:
        return int(
            getattr(
                settings, "CMETRACK_SIGNIN_ADDRESS_FAILURE_LIMIT", DEFAULT_ADDRESS_FAILURE_LIMIT
            )
        )
    return account_limit


class SignInThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler (attempts and failures recorded in the database, visible in
    Django admin) with a limit for each lockout parameter."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # Axes locks when this number reaches AXES_FAILURE_LIMIT (here and in is_locked), so
        # report the limit itself when any parameter has reached its own, and otherwise stay
        # below it.
        limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_by_parameter = self.get_user_attempts(request, credentials)
        highest = 0
        for parameter, attempts in zip(parameters, attempts_by_parameter, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if failures >= failure_limit_for(parameter, limit):
                return max(failures, limit)
            highest = max(highest, failures)
        return min(highest, limit - 1)
