"""The school rolls as a source of candidates for intake (matching.other_sources): is the child
a submission describes on a school's roll today? Pupils are looked up by UPN or former UPN, or
by a date of birth the same, a day either side, or with day and month swapped (the dates the
matching keys allow for), or by surname and year of birth; each is scored by the one model."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from cmetrack.core.upn import normalise_upn
from cmetrack.matching.keys import transposed
from cmetrack.matching.other_sources import SHOWN_AT, SourceMatch
from cmetrack.matching.records import PersonRecord
from cmetrack.matching.scoring import score
from cmetrack.matching.weights import prior_for

from .records import entry_record, entry_where
from .selectors import entries_on_roll, school_rolls_as_of

MOST_LOOKED_AT = 500  # a surname and year shared by more than this is too common to list


def _dates(dob: date) -> set[date]:
    dates = {dob, dob - timedelta(days=1), dob + timedelta(days=1)}
    if (swapped := transposed(dob)) is not None:
        dates.add(swapped)
    return dates


def pupils_like(record: PersonRecord) -> Q:
    """The roll entries worth scoring against this child (the scorer never sees a whole roll)."""
    wanted = Q(pk__in=[])
    for upn in (record.upn, *record.former_upns):
        if upn := normalise_upn(upn):
            wanted |= Q(upn=upn) | Q(former_upn=upn)
    if record.date_of_birth:
        wanted |= Q(date_of_birth__in=_dates(record.date_of_birth))
        if record.surname:
            wanted |= Q(
                surname__iexact=record.surname.strip(),
                date_of_birth__year=record.date_of_birth.year,
            )
    elif record.surname:
        wanted |= Q(surname__iexact=record.surname.strip())
    return wanted


def on_roll_today(record: PersonRecord) -> list[SourceMatch]:
    rolls = school_rolls_as_of(timezone.localdate())
    if not rolls:
        return []
    wanted = pupils_like(record)
    by_pk = {r.pk: r for r in rolls}
    entries = entries_on_roll(rolls, timezone.localdate()).filter(wanted)[:MOST_LOOKED_AT]
    prior = prior_for(sum(r.pupil_count for r in rolls))
    found = []
    for entry in entries:
        explanation = score(record, entry_record(entry), prior=prior)
        if explanation.probability >= SHOWN_AT:
            roll = by_pk[entry.school_roll_id]
            found.append(
                SourceMatch(
                    source="School roll",
                    name=f"{entry.forename} {entry.surname}".strip(),
                    date_of_birth=entry.date_of_birth,
                    where=entry_where(entry, roll),
                    explanation=explanation,
                )
            )
    return found
