"""The case status machine (DOMAIN.md §5): one table, checked before any write.

`referred` → `enquiries` → `located` → `placed` → `closed`, with `transferred` (handed to another
authority, open until it accepts) and `untraced` (enquiries exhausted, under periodic review).
Closing goes through case_close (it needs an outcome); leaving `closed` goes through case_reopen
(it needs a reason). An authority may rename a status's label, never its meaning.
"""

from django.db import models


class Status(models.TextChoices):
    REFERRED = "referred", "Referred"
    ENQUIRIES = "enquiries", "Enquiries under way"
    LOCATED = "located", "Located, not in education"
    PLACED = "placed", "Placed, monitoring"
    TRANSFERRED = "transferred", "Transferred to another LA"
    UNTRACED = "untraced", "Untraced, under review"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset(s for s in Status if s != Status.CLOSED)

# Moves an officer may make with "change status". Every open status may also close.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.REFERRED: frozenset(
        {Status.ENQUIRIES, Status.LOCATED, Status.PLACED, Status.TRANSFERRED, Status.CLOSED}
    ),
    Status.ENQUIRIES: frozenset(
        {Status.LOCATED, Status.PLACED, Status.TRANSFERRED, Status.UNTRACED, Status.CLOSED}
    ),
    Status.LOCATED: frozenset({Status.ENQUIRIES, Status.PLACED, Status.TRANSFERRED, Status.CLOSED}),
    # A placement that breaks down goes back to enquiries or to located.
    Status.PLACED: frozenset({Status.ENQUIRIES, Status.LOCATED, Status.CLOSED}),
    # The receiving authority declined or never answered: enquiries resume here.
    Status.TRANSFERRED: frozenset({Status.ENQUIRIES, Status.CLOSED}),
    # An untraced child who turns up is located; new information restarts enquiries.
    Status.UNTRACED: frozenset({Status.ENQUIRIES, Status.LOCATED, Status.PLACED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class TransitionError(Exception):
    """A status change the state machine forbids. The message is shown to the officer."""


def allowed_next(current: Status) -> frozenset[Status]:
    return TRANSITIONS[Status(current)]


def check_transition(current: str, new: str) -> None:
    current_status, new_status = Status(current), Status(new)
    if current_status == new_status:
        raise TransitionError(f"The case is already {current_status.label.lower()}.")
    if new_status not in TRANSITIONS[current_status]:
        if current_status == Status.CLOSED:
            raise TransitionError("A closed case must be reopened, with a reason, before it moves.")
        raise TransitionError(
            f"A case cannot move from {current_status.label.lower()} to {new_status.label.lower()}."
        )
