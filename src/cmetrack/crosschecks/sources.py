"""The records a cross-check reads, as `Person`s: pupils on the rolls as of a date, the
children on the CME and home-education registers, new-pupil and deletion returns in a period.
Read-only; the services call these after checking the user is on the CME team."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from cmetrack.cases.models import Case
from cmetrack.cases.status import Status
from cmetrack.core.school_age import long_date
from cmetrack.ehe.models import EheRecord
from cmetrack.matching.records import PersonRecord
from cmetrack.matching.selectors import child_records
from cmetrack.referrals.models import DeletionReturn, NewPupilReturn, Submission
from cmetrack.referrals.services.destinations import submission_record
from cmetrack.rolls.models import RollEntry, SchoolRoll
from cmetrack.rolls.records import entry_record, entry_where
from cmetrack.rolls.selectors import entries_on_roll, school_rolls_as_of

from .people import Person


def roll_person(entry: RollEntry, roll: SchoolRoll) -> Person:
    return person_from_record(
        entry_record(entry),
        where=entry_where(entry, roll),
        source="roll",
        address=entry.address,
        school_urn=roll.school.urn if roll.school else "",
        year_group=entry.year_group,
    )


def roll_people(rolls: list[SchoolRoll], as_of: date) -> list[Person]:
    by_pk = {r.pk: r for r in rolls}
    return [
        roll_person(entry, by_pk[entry.school_roll_id])
        for entry in entries_on_roll(rolls, as_of).order_by("pk").iterator(chunk_size=5000)
    ]


def pupils_on_roll(as_of: date) -> tuple[list[Person], list[SchoolRoll]]:
    rolls = school_rolls_as_of(as_of)
    return roll_people(rolls, as_of), rolls


def person_from_record(
    record: PersonRecord,
    *,
    where: str,
    source: str,
    address: str = "",
    school_urn: str = "",
    year_group: str = "",
) -> Person:
    return Person(
        forenames=record.forenames,
        surname=record.surname,
        date_of_birth=record.date_of_birth,
        sex=record.sex,
        upn=record.upn,
        former_upn=record.former_upns[0] if record.former_upns else "",
        postcode=record.postcode,
        other_names=record.other_names,
        address=address,
        where=where,
        source=source,
        school_urn=school_urn,
        year_group=year_group,
    )


def _children(where_by_child: dict[int, str], source: str) -> list[Person]:
    records = child_records(list(where_by_child))
    return [
        person_from_record(records[pk], where=where, source=source)
        for pk, where in where_by_child.items()
        if pk in records
    ]


def on_cme_register() -> list[Person]:
    """Children with an open CME case (they are known: the team is already on it)."""
    cases = Case.objects.exclude(status=Status.CLOSED).values_list("child_id", "reference")
    return _children({child: f"Open CME case {ref}" for child, ref in cases}, "cme")


def on_ehe_register(on: date) -> list[Person]:
    records = EheRecord.objects.filter(start_date__lte=on).exclude(end_date__lte=on)
    return _children(
        {
            child: f"Home education record {ref}"
            for child, ref in records.values_list("child_id", "reference")
        },
        "ehe",
    )


def _window(since: date, until: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(since, time.min, tzinfo=zone),
        datetime.combine(until, time.max, tzinfo=zone),
    )


def submitted_person(sub: Submission, where: str, source: str) -> Person:
    """The child as a return or referral describes them (referrals' own record of it)."""
    return person_from_record(
        submission_record(sub),
        where=where,
        source=source,
        school_urn=sub.school.urn if sub.school else "",
    )


def new_pupil_returns(since: date, until: date) -> list[Person]:
    returns = NewPupilReturn.objects.filter(received_at__range=_window(since, until))
    return [
        submitted_person(
            r,
            f"New-pupil return {r.reference} from {r.school.name if r.school else 'a school'}, "
            f"starting {long_date(r.start_date)}",
            "new_pupil",
        )
        for r in returns.select_related("school")
    ]


def deletions_with_destination(since: date, until: date) -> list[Person]:
    """Removals from roll that named where the child went (a new school or address)."""
    returns = DeletionReturn.objects.filter(received_at__range=_window(since, until))
    people = []
    for r in returns.select_related("school", "new_school"):
        if not (r.has_new_school or r.new_address.strip()):
            continue
        to = r.new_school.name if r.new_school else (r.new_school_name or "a new address")
        people.append(
            submitted_person(
                r,
                f"Deletion return {r.reference}: left "
                f"{r.school.name if r.school else 'school'} on {long_date(r.deletion_date)} "
                f"for {to}",
                "deletion",
            )
        )
    return people


def everyone_known(on: date, *, since: date) -> list[Person]:
    """The population a child on no roll is looked for among, besides the rolls."""
    return [
        *new_pupil_returns(since, on),
        *deletions_with_destination(since, on),
        *on_cme_register(),
        *on_ehe_register(on),
    ]
