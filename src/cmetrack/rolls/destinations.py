"""A new school's roll confirms a removal's destination: a pupil removed from one school's roll
naming a new school (grounds (a), (g), (n): recorded, awaiting confirmation) is confirmed when
that school's roll, dated on or after the removal, lists them: the same UPN, or the score at
"likely" (the threshold a new-pupil return from the named school needs,
referrals/services/destinations.py). Unconfirmed ones still lapse into CME cases as before."""

from __future__ import annotations

from cmetrack.accounts.models import User
from cmetrack.core.school_age import long_date
from cmetrack.core.upn import normalise_upn
from cmetrack.matching.scoring import score
from cmetrack.referrals.models import DeletionReturn
from cmetrack.referrals.services.destinations import (
    LIKELY,
    awaiting_destinations,
    destination_confirm,
    submission_record,
)
from cmetrack.referrals.services.errors import IntakeError

from .matching import pupils_like
from .models import RollEntry, RollLoad
from .records import entry_record
from .selectors import entries_on_roll


def _on_this_roll(deletion: DeletionReturn, entries: list[RollEntry]) -> str:
    """How the roll shows the pupil ("UPN", "94.1% likely"), or "" if it does not."""
    upn = normalise_upn(deletion.upn) if deletion.upn else ""
    record = submission_record(deletion)
    best = 0.0
    for entry in entries:
        if upn and upn in (entry.upn, entry.former_upn):
            return "the same UPN"
        best = max(best, score(record, entry_record(entry)).probability)
    return f"{best:.1%} likely the same child" if best >= LIKELY else ""


def destinations_confirm_by_roll(*, load: RollLoad, by: User) -> list[DeletionReturn]:
    """Confirm each awaiting destination this load's rolls show; the deletion returns confirmed."""
    rolls = {r.school_id: r for r in load.school_rolls.filter(school__isnull=False)}
    if not rolls:
        return []
    awaiting = awaiting_destinations().filter(
        new_school_id__in=list(rolls), deletion_date__lte=load.as_of
    )
    confirmed = []
    for deletion in awaiting:
        roll = rolls[deletion.new_school_id]
        entries = list(
            entries_on_roll([roll], load.as_of).filter(pupils_like(submission_record(deletion)))
        )
        how = _on_this_roll(deletion, entries)
        if not how:
            continue
        try:
            destination_confirm(
                deletion=deletion,
                by=by,
                how=f"on the roll of {roll.school_name or roll.school_key} of "
                f"{long_date(load.as_of)} ({how})",
            )
        except IntakeError:
            continue  # confirmed or lapsed meanwhile: nothing to do
        confirmed.append(deletion)
    return confirmed
