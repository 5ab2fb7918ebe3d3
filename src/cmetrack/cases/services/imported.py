"""Cases brought over from an authority's previous CME register (register_import): opened with
the register's own referral date, status, outcome and closure date, and its history notes on the
timeline at the dates they were written, so deadlines and the DfE return are right from day one.

Not `case_open` followed by status moves and `case_close`: those write today's date into every
step, and a case closed years ago on the old system is not closing now (no `case_closed`
signal, so the EHE register is not told again of a hand-over made long ago; no closure rules,
which judge an officer's decision today, not the old register's record of one).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.bulk import bulk_insert_with_audit
from cmetrack.audit.context import acting_as
from cmetrack.children.models import Child

from ..events import EventKind
from ..models import Case, CaseEvent, Outcome, ReferralSource
from ..status import Status
from .common import CaseError, require_team
from .referral import ReferralData


@dataclass(frozen=True)
class ImportedNote:
    text: str
    on: date | None = None  # the date written with it on the old register, if any


@dataclass(frozen=True)
class ImportedCaseData:
    referral: ReferralData  # its `child` is ignored: the child is given
    status: str = Status.REFERRED
    outcome: str = ""
    closed_on: date | None = None
    notes: list[ImportedNote] = field(default_factory=list)
    # What the timeline says the case came from: the register file's name, never a path.
    imported_from: str = ""


def _at(day: date) -> datetime:
    """A register's date as a moment on the timeline: noon, so no time zone moves it a day."""
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def imported_case_problem(data: ImportedCaseData) -> str | None:
    """Why this case cannot be brought over as it stands, or None. The importer's check asks
    before anything is written, and `case_import` asks again."""
    today = timezone.localdate()
    referral_date = data.referral.referral_date
    if referral_date > today:
        return "The referral date cannot be in the future."
    try:
        status = Status(data.status)
        ReferralSource(data.referral.referral_source)
    except ValueError:
        return "Not a status or referral source cmetrack knows."
    if status == Status.CLOSED:
        if not data.outcome or data.outcome not in Outcome.values:
            return "A closed case needs an outcome."
        if data.closed_on is None:
            return "A closed case needs the date it closed."
        if data.closed_on > today:
            return "The closure date cannot be in the future."
        if data.closed_on < referral_date:
            return "The closure date cannot be before the referral date."
    elif data.outcome or data.closed_on:
        return "Only a closed case has an outcome and a closure date."
    return None


def case_import(*, child: Child, data: ImportedCaseData, by: User) -> Case:
    """One case as the old register held it (see `cases_import`)."""
    return cases_import(items=[(child, data)], by=by)[0]


@transaction.atomic
def cases_import(*, items: Sequence[tuple[Child, ImportedCaseData]], by: User) -> list[Case]:
    """Open each case as the old register held it: original referral date, status, outcome and
    closure date, reasons, source, last school; its opening, each history note and (for a
    closed case) its closure on the timeline at their own dates. All or none: the first case
    that breaks a rule stops the lot (CaseError). Deadlines are not set here: the importer
    syncs them for all its cases at once (`tasks_sync`).

    Written in bulk, each row with the audit entry its save() would have written
    (`audit.bulk`): a register of thousands of cases cannot afford a save per case and event."""
    require_team(by)
    for child, data in items:
        if problem := imported_case_problem(data):
            raise CaseError(f"{child.full_name}: {problem}")
    opening = [child for child, data in items if Status(data.status) != Status.CLOSED]
    if len({c.pk for c in opening}) < len(opening):
        raise CaseError("A child can have only one open case.")
    already = (
        Case.objects.filter(child__in=[c.pk for c in opening])
        .exclude(status=Status.CLOSED)
        .select_related("child")
        .first()
    )
    if already is not None:
        raise CaseError(f"{already.child.full_name} already has an open case.")
    with acting_as(by):
        cases = [_case(child, data) for child, data in items]
        bulk_insert_with_audit(cases, by=by)
        for case, (_child, data) in zip(cases, items, strict=True):
            r = data.referral
            secondary = [s for s in r.secondary_reasons if s != r.primary_reason]
            if secondary:  # rare on an old register: set as a single case's are, audited
                case.secondary_reasons.set(secondary)
        events = [
            e
            for case, (_c, data) in zip(cases, items, strict=True)
            for e in _events(case, data, by)
        ]
        bulk_insert_with_audit(events, by=by)
    return cases


def _case(child: Child, data: ImportedCaseData) -> Case:
    r = data.referral
    status = Status(data.status)
    return Case(
        child=child,
        category=r.category,
        status=status,
        primary_reason=r.primary_reason,
        referral_source=r.referral_source,
        referral_date=r.referral_date,
        referrer=r.referrer.strip(),
        last_school=r.last_school,
        date_last_attended=r.date_last_attended,
        risk_level=r.risk_level,
        # When it entered its status is not on most registers: the referral date, so the
        # reviews that run from it fall due from the case's real start, not today.
        status_changed_on=data.closed_on or r.referral_date,
        outcome=data.outcome if status == Status.CLOSED else "",
        closed_on=data.closed_on if status == Status.CLOSED else None,
    )


def _events(case: Case, data: ImportedCaseData, by: User) -> list[CaseEvent]:
    r = data.referral
    status = Status(data.status)
    events = [
        CaseEvent(
            case=case,
            kind=EventKind.OPENED.value,
            actor=by,
            occurred_at=_at(r.referral_date),
            payload={
                "source": case.get_referral_source_display(),
                "imported_from": data.imported_from,
                "status_label": status.label,
            },
            case_version=case.version,
        )
    ]
    events += [
        CaseEvent(
            case=case,
            kind=EventKind.NOTE_ADDED.value,
            actor=by,
            occurred_at=_at(note.on or r.referral_date),
            payload={"text": note.text.strip(), "imported": True},
            case_version=case.version,
        )
        for note in data.notes
        if note.text.strip()
    ]
    if status == Status.CLOSED and data.closed_on is not None:
        outcome = Outcome(data.outcome)
        events.append(
            CaseEvent(
                case=case,
                kind=EventKind.CLOSED.value,
                actor=by,
                occurred_at=_at(data.closed_on),
                payload={
                    "outcome": outcome.value,
                    "outcome_label": outcome.label,
                    "closed_on": data.closed_on.isoformat(),
                    "imported": True,
                },
                case_version=case.version,
            )
        )
    return events
