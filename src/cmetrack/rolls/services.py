"""Writes of the school rolls: load a roll file (all or nothing), withdraw a load.

A roll is the schools' own statement of who is on roll on a date. A pupil row with a bad field
is kept (the field blank, the reader's warning shown on the load's page); only a row that is
nobody at all (no name, no UPN) is left out, and the file as a whole is refused only when it
cannot be read, is hostile, or says neither which school it is from nor what date it speaks for.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_work_cases
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.referrals.importing.rows import UnreadableFile
from cmetrack.schools.models import School

from .destinations import destinations_confirm_by_roll
from .models import RollEntry, RollLoad, SchoolRoll
from .reading import ParsedRoll, RollFormat, RollPupil, parse_roll

DEFAULT_MAX_BYTES = 60_000_000  # an LA-wide census extract of 60,000 pupils is about 15 MB
DEFAULT_MAX_ROWS = 200_000
_BATCH = 2_000
WARNINGS_KEPT = 500  # shown on the load's page; the count says how many more


class RollRefused(Exception):
    """Nothing was written; the message says why, for the person who loaded the file."""


@dataclass(frozen=True)
class _SchoolOf:
    key: str
    school: School | None
    name: str


def _laestab_digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _school_codes(pupil: RollPupil, parsed: ParsedRoll) -> tuple[str, str]:
    """The pupil's school as the file gives it: the row's URN and DfE number, else the file's."""
    return (pupil.school_urn or parsed.school_urn, pupil.school_laestab or parsed.school_laestab)


def _school_resolver(parsed: ParsedRoll, chosen: School | None) -> dict[tuple[str, str], _SchoolOf]:
    """(urn, laestab) as the rows give them -> the school, found by URN, else by LA and
    establishment number; a school the register does not hold is kept under its number."""
    wanted = {_school_codes(p, parsed) for p in parsed.pupils}
    urns = {u for u, _ in wanted if u}
    by_urn = {s.urn: s for s in School.objects.filter(urn__in=urns)}
    by_laestab: dict[str, School] = {}
    numbers = {_laestab_digits(e) for _, e in wanted if len(_laestab_digits(e)) == 7}
    if numbers:
        for s in School.objects.filter(
            la_code__in={n[:3] for n in numbers},
            establishment_number__in={n[3:] for n in numbers},
        ):
            by_laestab.setdefault(f"{s.la_code}{s.establishment_number}", s)
    resolved: dict[tuple[str, str], _SchoolOf] = {}
    for urn, laestab in wanted:
        digits = _laestab_digits(laestab)
        school = by_urn.get(urn) or by_laestab.get(digits)
        if school is None and not urn and not digits:
            school = chosen
        if school is not None:
            resolved[(urn, laestab)] = _SchoolOf(school.urn, school, school.name)
        elif urn:
            resolved[(urn, laestab)] = _SchoolOf(urn, None, parsed.school_name)
        elif digits:
            resolved[(urn, laestab)] = _SchoolOf(f"laestab:{digits}", None, parsed.school_name)
    return resolved


def _entry(pupil: RollPupil) -> RollEntry:
    return RollEntry(
        position=pupil.position,
        upn=pupil.upn[:13],
        former_upn=pupil.former_upn[:13],
        surname=pupil.surname[:100],
        forename=pupil.forename[:100],
        middle_names=pupil.middle_names[:100],
        preferred_surname=pupil.preferred_surname[:100],
        preferred_forename=pupil.preferred_forename[:100],
        date_of_birth=pupil.date_of_birth,
        sex=pupil.sex[:1],
        year_group=pupil.year_group[:3],
        entry_date=pupil.entry_date,
        leaving_date=pupil.leaving_date,
        enrolment_status=pupil.enrolment_status[:1],
        postcode=pupil.postcode[:10],
        address=pupil.address[:300],
    )


def _problems(items: tuple[object, ...]) -> list[list[object]]:
    return [
        [getattr(i, "row", 0), getattr(i, "field", ""), getattr(i, "message", str(i))]
        for i in items[:WARNINGS_KEPT]
    ]


def roll_read(content: bytes, *, filename: str, format: RollFormat | None = None) -> ParsedRoll:
    """The file read, or RollRefused saying why it cannot be."""
    try:
        return parse_roll(
            content,
            filename=filename,
            format=format,
            max_bytes=DEFAULT_MAX_BYTES,
            max_rows=DEFAULT_MAX_ROWS,
        )
    except UnreadableFile as error:
        raise RollRefused(str(error)) from error


def roll_load(
    *,
    content: bytes,
    filename: str,
    by: User,
    as_of: date | None = None,
    school: School | None = None,
    description: str = "",
    format: RollFormat | None = None,
) -> RollLoad:
    """Read and keep one roll file. `as_of` is the date the roll speaks for (the file's own date
    when not given); `school` is the school of a file that names none (a one-school export)."""
    if not can_work_cases(by):
        raise RollRefused("Only the CME team can load school rolls.")
    parsed = roll_read(content, filename=filename, format=format)
    as_of = as_of or parsed.as_of
    if as_of is None:
        raise RollRefused("This file does not say what date the roll is for: enter the date")
    if as_of > timezone.localdate():
        raise RollRefused("The date the roll is for must be today or in the past")
    if not parsed.pupils:
        raise RollRefused("The file lists no pupils")
    sha = hashlib.sha256(content).hexdigest()
    earlier = RollLoad.objects.filter(file_sha256=sha, withdrawn_at__isnull=True).first()
    if earlier is not None:
        raise RollRefused(
            f"This file was loaded already, on {earlier.loaded_at:%d %B %Y}, as the roll of "
            f"{earlier.as_of:%d %B %Y}: withdraw that load first to load it again"
        )
    schools = _school_resolver(parsed, school)
    nameless = sum(1 for p in parsed.pupils if _school_codes(p, parsed) not in schools)
    if nameless:
        raise RollRefused(
            f"{nameless} pupil(s) in this file have no school: choose the school the file is "
            "from, or add a URN or DfE number column"
        )
    with transaction.atomic(), acting_as(by):
        load = RollLoad(
            original_name=filename[:255],
            file_sha256=sha,
            format=parsed.format.value,
            as_of=as_of,
            description=description.strip()[:200],
            loaded_by=by,
            pupil_count=len(parsed.pupils),
            summary={
                "errors": _problems(parsed.errors),
                "warnings": _problems(parsed.warnings),
                "error_count": len(parsed.errors),
                "warning_count": len(parsed.warnings),
                "unknown_schools": sorted({s.key for s in schools.values() if s.school is None}),
            },
        )
        load.file.save(f"{load.public_id.hex}", ContentFile(content), save=False)
        rolls: dict[str, SchoolRoll] = {}
        for of in schools.values():
            if of.key not in rolls:
                rolls[of.key] = SchoolRoll(
                    school=of.school, school_key=of.key, school_name=of.name[:200]
                )
        load.school_count = len(rolls)
        load.save()
        for roll in rolls.values():
            roll.load = load
        SchoolRoll.objects.bulk_create(rolls.values())
        counts: dict[str, int] = {}
        batch: list[RollEntry] = []
        for pupil in parsed.pupils:
            key = schools[_school_codes(pupil, parsed)].key
            entry = _entry(pupil)
            entry.school_roll = rolls[key]
            counts[key] = counts.get(key, 0) + 1
            batch.append(entry)
            if len(batch) >= _BATCH:
                RollEntry.objects.bulk_create(batch)
                batch = []
        RollEntry.objects.bulk_create(batch)
        for key, roll in rolls.items():
            roll.pupil_count = counts.get(key, 0)
        SchoolRoll.objects.bulk_update(rolls.values(), ["pupil_count"])
    # The new schools' rolls confirm the removals waiting for them (after the load is kept).
    confirmed = destinations_confirm_by_roll(load=load, by=by)
    if confirmed:
        load.summary["destinations_confirmed"] = [d.reference for d in confirmed]
        RollLoad.objects.filter(pk=load.pk).update(summary=load.summary)
    return load


def roll_withdraw(*, load: RollLoad, reason: str, by: User) -> RollLoad:
    """Leave a load out of every roll from now on (it was the wrong file, or the wrong date).
    Kept, with who withdrew it and why; checks already run keep what they found."""
    if not can_work_cases(by):
        raise RollRefused("Only the CME team can withdraw a roll load.")
    if not reason.strip():
        raise RollRefused("Say why the load is withdrawn")
    with transaction.atomic(), acting_as(by):
        locked = RollLoad.objects.select_for_update().get(pk=load.pk)
        if locked.withdrawn_at is not None:
            raise RollRefused("This load was withdrawn already")
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by
        locked.withdrawn_reason = reason.strip()
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    return locked


def roll_loads_delete_old(*, today: date | None = None) -> int:
    """The retention job's part: delete every load (its file, rolls and pupils) dated more than
    CMETRACK_ROLL_RETENTION_DAYS ago. Safe to run again or twice at once."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.CMETRACK_ROLL_RETENTION_DAYS)
    deleted = 0
    for load in RollLoad.objects.filter(as_of__lt=cutoff).only("pk", "file"):
        with transaction.atomic():
            name = load.file.name
            if RollLoad.objects.filter(pk=load.pk).delete()[0]:
                deleted += 1
                transaction.on_commit(functools.partial(load.file.storage.delete, name))
    return deleted
