"""Recording a referral: find or create the child, open the case with its flags and first note."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.children.models import Child, VulnerabilityFlagType
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import ChildData, child_add_referral_details, child_create
from cmetrack.schools.models import School

from ..events import EventKind
from ..models import Case, MissingReason, RiskLevel
from ..status import Status
from .casework import case_add_note
from .common import CaseError, event_write
from .flags import case_flag_add


@dataclass(frozen=True)
class ReferralData:
    child: ChildData
    primary_reason: MissingReason
    referral_source: str
    referral_date: date
    secondary_reasons: list[MissingReason] = field(default_factory=list)
    referrer: str = ""
    last_school: School | None = None
    date_last_attended: date | None = None
    risk_level: str = RiskLevel.MEDIUM
    category: str = "cme"
    flags: list[VulnerabilityFlagType] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class ReferralResult:
    case: Case
    child_was_known: bool


@transaction.atomic
def referral_record(
    *,
    data: ReferralData,
    by: User | None,
    existing_child: Child | None = None,
    force_new_child: bool = False,
    on_arrival: str = "",
) -> ReferralResult:
    """Record a referral: reuse the child already known (the one the officer chose from the
    likely matches, else the same UPN, or the same name and date of birth), otherwise create
    them; then open a case with its flags and first note. `force_new_child` is the officer's
    decision that none of the suggested children is this one.

    `on_arrival`, a submission's reference, opens the case with no officer (`by` None) the
    moment a notice arrives that the law says needs the LA at once (grounds (h), (i): joint
    enquiries); everything else needs the CME team."""
    if not on_arrival and by is None:
        raise CaseError("Only the local authority's CME team can open a case.")
    c = data.child
    if existing_child is not None and force_new_child:
        raise CaseError("Choose an existing child or a new record, not both.")
    if existing_child is not None and existing_child.merged_into_id is not None:
        raise CaseError("That record was merged into another: choose the child again.")
    child = existing_child
    if child is None and not force_new_child:
        child = child_find_existing(
            upn=c.upn, forenames=c.forenames, surname=c.surname, date_of_birth=c.date_of_birth
        )
    known = child is not None
    if child is None:
        child = child_create(data=c, by=by)
    else:
        child_add_referral_details(child=child, data=c, by=by)
    case = case_open(child=child, data=data, by=by, on_arrival=on_arrival)
    if by is None:
        if data.note.strip():  # no officer: the note is the arrival's own record
            with acting_as(None):
                event_write(case, EventKind.NOTE_ADDED, None, text=data.note.strip())
        return ReferralResult(case=case, child_was_known=known)
    for flag_type in data.flags:
        if not child.flags.filter(flag_type=flag_type, removed_at__isnull=True).exists():
            case_flag_add(case=case, flag_type=flag_type, by=by)
    if data.note.strip():
        case_add_note(case=case, text=data.note, by=by)
    return ReferralResult(case=case, child_was_known=known)


@transaction.atomic
def case_open(*, child: Child, data: ReferralData, by: User | None, on_arrival: str = "") -> Case:
    if not (on_arrival or (by is not None and is_la_staff(by))):
        raise CaseError("Only the local authority's CME team can open a case.")
    if child.cases.exclude(status=Status.CLOSED).exists():
        existing = child.cases.exclude(status=Status.CLOSED).get()
        raise CaseError(
            f"{child.full_name} already has an open case ({existing.reference}). "
            "Add this referral's details to that case instead."
        )
    if data.referral_date > timezone.localdate():
        raise CaseError("The referral date cannot be in the future.")
    with acting_as(by):
        case = Case.objects.create(
            child=child,
            category=data.category,
            primary_reason=data.primary_reason,
            referral_source=data.referral_source,
            referral_date=data.referral_date,
            referrer=data.referrer.strip(),
            last_school=data.last_school,
            date_last_attended=data.date_last_attended,
            risk_level=data.risk_level,
            status_changed_on=data.referral_date,
        )
        case.secondary_reasons.set([r for r in data.secondary_reasons if r != data.primary_reason])
        event_write(
            case,
            EventKind.OPENED,
            by,
            source=case.get_referral_source_display(),
            **({"on_arrival": on_arrival} if on_arrival else {}),
        )
    return case
