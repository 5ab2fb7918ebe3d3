"""Writes for intake. One service per route, plus the CME team's triage actions.

Keyword-only, one transaction each, validating before anything is written. Partners (schools,
agencies, other authorities, the public) submit; only the CME team opens, links or closes cases
(cases.services refuses anyone else), so a partner's submission lands in the incoming queue with
its recommended route, and the officer applies it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import (
    can_notify_as_other_la,
    can_refer,
    can_submit_school_returns,
    can_triage,
    is_la_staff,
    is_other_la_user,
    is_school_user,
)
from cmetrack.accounts.models import Organisation, User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, MissingReason, Outcome, ReferralSource, RiskLevel
from cmetrack.cases.services import (
    CaseError,
    ReferralData,
    case_add_note,
    case_change_status,
    case_close,
    case_intake_event,
    referral_record,
)
from cmetrack.cases.status import OPEN_STATUSES, Status, TransitionError
from cmetrack.children.models import Address, VulnerabilityFlagType
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import AddressData, ChildData, ContactData
from cmetrack.core.upn import normalise_upn, validate_upn
from cmetrack.schools.models import School

from .grounds import GROUNDS, Route, ground
from .models import (
    CmeReferral,
    DeletionReturn,
    Direction,
    HandoverChange,
    HandoverState,
    HomeVisit,
    Kind,
    Nature,
    NewPupilReturn,
    OtherLaNotification,
    PublicConcern,
    ReferralAction,
    SharedStatus,
    Submission,
    TriageState,
)

if TYPE_CHECKING:
    from .models import ImportBatch

logger = logging.getLogger(__name__)


class IntakeError(Exception):
    """A submission or triage step that cannot be made; the message is shown to the user.
    `field` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def retrospective_deletion_allowed() -> bool:
    """Schools may not delete retrospectively; an LA may relax the check (e.g. for back-filling)."""
    return bool(getattr(settings, "CMETRACK_ALLOW_RETROSPECTIVE_DELETION", False))


# --- what the senders give ------------------------------------------------------------------


@dataclass(frozen=True)
class ChildParticulars:
    forenames: str
    surname: str
    date_of_birth: date | None = None
    sex: str = "U"
    upn: str = ""
    address_line_1: str = ""
    town: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class DeletionData:
    child: ChildParticulars
    school: School
    ground: str
    deletion_date: date
    emergency_phone: str
    parent_names: str = ""
    parent_address: str = ""
    new_address: str = ""
    new_address_from: date | None = None
    new_school: School | None = None
    new_school_name: str = ""
    new_school_start: date | None = None
    lost_pupil: bool = False


@dataclass(frozen=True)
class NewPupilData:
    child: ChildParticulars
    school: School
    start_date: date
    parent_names: str = ""
    parent_phone: str = ""
    previous_school: str = ""


@dataclass(frozen=True)
class ActionData:
    done_on: date
    action: str
    outcome: str = ""


@dataclass(frozen=True)
class HomeVisitData:
    visited_on: date
    address: str
    visited_at: time | None = None
    who_was_seen: str = ""


@dataclass(frozen=True)
class CmeReferralData:
    child: ChildParticulars
    referrer_name: str
    primary_reason: MissingReason
    referral_source: str = ReferralSource.SCHOOL
    referrer_role: str = ""
    referrer_phone: str = ""
    parent_names: str = ""
    parent_phone: str = ""
    last_school: School | None = None
    date_last_attended: date | None = None
    secondary_reasons: list[MissingReason] = field(default_factory=list)
    flags: list[VulnerabilityFlagType] = field(default_factory=list)
    dsl_risk_view: str = ""
    risk_level: str = RiskLevel.MEDIUM
    social_care_referred: bool = False
    social_care_outcome: str = ""
    actions: list[ActionData] = field(default_factory=list)
    home_visits: list[HomeVisitData] = field(default_factory=list)


@dataclass(frozen=True)
class OtherLaData:
    child: ChildParticulars
    nature: str  # Nature.MOVED_IN or Nature.ENQUIRY
    other_la_name: str
    other_la_code: str = ""
    officer_name: str = ""
    officer_phone: str = ""
    officer_email: str = ""
    previous_address: str = ""
    concerns: str = ""


@dataclass(frozen=True)
class PublicConcernData:
    about_child: str
    where: str
    why_worried: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


# --- shared checks and writes ---------------------------------------------------------------


def _check_child(child: ChildParticulars, *, need_dob: bool = True) -> str:
    """Validate the child's particulars; return the normalised UPN."""
    today = timezone.localdate()
    if not child.forenames.strip():
        raise IntakeError("Enter the child's first name", "forenames")
    if not child.surname.strip():
        raise IntakeError("Enter the child's surname", "surname")
    if need_dob and child.date_of_birth is None:
        raise IntakeError("Enter the child's date of birth", "date_of_birth")
    if child.date_of_birth and child.date_of_birth > today:
        raise IntakeError("Date of birth must be today or in the past", "date_of_birth")
    if child.sex not in {"F", "M", "U"}:
        raise IntakeError("Choose the child's sex", "sex")
    if child.upn.strip():
        errors = validate_upn(child.upn)
        if errors:
            raise IntakeError(errors[0].message, "upn")
        return normalise_upn(child.upn)
    return ""


def _not_future(value: date | None, what: str, field_name: str) -> None:
    if value and value > timezone.localdate():
        raise IntakeError(f"{what} must be today or in the past", field_name)


def _fill(submission: Submission, child: ChildParticulars, upn: str) -> None:
    submission.forenames = child.forenames.strip()
    submission.surname = child.surname.strip()
    submission.date_of_birth = child.date_of_birth
    submission.sex = child.sex
    submission.upn = upn
    submission.address_line_1 = child.address_line_1.strip()
    submission.town = child.town.strip()
    submission.postcode = child.postcode.strip()


def _stamp(submission: Submission, by: User | None, *, for_school: School | None = None) -> None:
    """Who entered it (`submitted_by`) and whose it is (`organisation`, whose users see it).
    A school return the CME team records on a school's behalf is the school's: filed under the
    school's organisation, when the school has one, so the school sees it and its status."""
    submission.submitted_by = by
    submission.organisation = getattr(by, "organisation", None) if by else None
    if by is not None and for_school is not None and is_la_staff(by):
        school_org = _organisation_of(for_school)
        if school_org is not None:
            submission.organisation = school_org
    if by is not None and by.email:
        submission.contact_email = by.email


def _organisation_of(school: School) -> Organisation | None:
    try:
        return school.organisation
    except ObjectDoesNotExist:
        return None


def acknowledgement_text(reference: str) -> str:
    return (
        f"Thank you. We have received your submission, reference {reference}.\n\n"
        "Quote this reference if you contact the Children Missing Education team. "
        "Do not reply to this email with details about a child.\n"
    )


def _acknowledge(submission: Submission) -> None:
    """Email the reference, and nothing about the child, once the submission is committed."""
    address = submission.contact_email
    if not address:
        return
    reference = submission.reference

    def send() -> None:
        try:
            send_mail(
                f"Received: reference {reference}",
                acknowledgement_text(reference),
                None,
                [address],
            )
        except Exception:  # a mail outage must not lose the submission
            logger.exception("Acknowledgement email for %s could not be sent", reference)

    transaction.on_commit(send)


def find_open_case(submission: Submission) -> Case | None:
    """The open CME case of the child this submission describes (same UPN, or same name and
    date of birth), if there is one."""
    child = child_find_existing(
        upn=submission.upn,
        forenames=submission.forenames,
        surname=submission.surname,
        date_of_birth=submission.date_of_birth,
    )
    if child is None:
        return None
    return child.cases.filter(status__in=OPEN_STATUSES).first()


def record_received(
    *, case: Case, submission: Submission, by: User | None, check: bool = True
) -> bool:
    """Write "<kind> received (<reference>)" on the case's timeline, once per case and
    submission: at submission time when the child already has an open case, else when the
    officer links it. The sender may be a partner (or nobody): they write only this line.
    Returns whether a line was written. `check=False` skips the look for an earlier line (a
    submission saved a moment ago has none)."""
    if (
        check
        and case.events.filter(
            kind=EventKind.SUBMISSION_RECEIVED, payload__reference=submission.reference
        ).exists()
    ):
        return False
    case_intake_event(
        case=case,
        kind=EventKind.SUBMISSION_RECEIVED,
        by=by,
        kind_label=submission.get_kind_display(),
        reference=submission.reference,
        text=submission_details(submission),
    )
    return True


def _touch_open_case(submission: Submission, by: User | None) -> None:
    """A submission about a child with an open case writes its line there now, not at triage."""
    case = find_open_case(submission)
    if case is not None:
        record_received(case=case, submission=submission, by=by)


def _record_handover(
    notification: OtherLaNotification,
    *,
    case: Case,
    state: HandoverState,
    by: User,
    reason: str = "",
) -> None:
    case_intake_event(
        case=case,
        kind=EventKind.HANDOVER_CHANGED,
        by=by,
        authority=notification.other_la_name,
        state_label=state.label,
        reference=notification.reference,
        reason=reason,
    )


# --- the five routes ------------------------------------------------------------------------


def deletion_return_check(*, data: DeletionData, by: User) -> str:
    """Every refusal of a deletion return, without writing: the import preview uses it too.
    Returns the normalised UPN."""
    if not can_submit_school_returns(by):
        raise IntakeError("Only a school or the CME team can send a deletion return.")
    if is_school_user(by) and by.organisation and by.organisation.school_id != data.school.pk:
        raise IntakeError("You can only send returns for your own school.", "school")
    upn = _check_child(data.child)
    code = data.ground.strip().lower()
    if code not in GROUNDS:
        raise IntakeError("Choose the ground for removal, (a) to (o)", "ground")
    g = ground(code)
    if not data.emergency_phone.strip():
        raise IntakeError("Enter at least one emergency phone number", "emergency_phone")
    today = timezone.localdate()
    if data.deletion_date < today and not retrospective_deletion_allowed():
        raise IntakeError(
            "The deletion date cannot be before today: a pupil may not be removed from the "
            "register retrospectively",
            "deletion_date",
        )
    has_new_school = bool(data.new_school or data.new_school_name.strip())
    if g.needs_new_school and not has_new_school:
        raise IntakeError(
            "Ground (a) needs the new school: choose it or enter its name", "new_school"
        )
    dob = data.child.date_of_birth
    if data.new_school_start and dob and data.new_school_start < dob:
        raise IntakeError("The new school start date must be after the date of birth")
    return upn


R = TypeVar("R", bound=Submission)


def _save_return(ret: R, *, by: User, batch: ImportBatch | None) -> R:
    """Save one school return; a single return (not part of an import) is also written on the
    child's open case and acknowledged at once. Imports do both for the whole file."""
    with acting_as(by):
        ret.save()
    if batch is None:
        _touch_open_case(ret, by)
        _acknowledge(ret)
    return ret


@transaction.atomic
def deletion_return_submit(
    *, data: DeletionData, by: User, batch: ImportBatch | None = None
) -> DeletionReturn:
    return _save_return(deletion_return_build(data=data, by=by, batch=batch), by=by, batch=batch)


def deletion_return_build(
    *, data: DeletionData, by: User, batch: ImportBatch | None = None
) -> DeletionReturn:
    """The checked, unsaved return: the bulk import saves many inside its own transaction (one
    save each, so every row has its audit entry) and writes the timeline lines in one pass."""
    upn = deletion_return_check(data=data, by=by)
    g = ground(data.ground.strip().lower())
    code = g.code
    has_new_school = bool(data.new_school or data.new_school_name.strip())
    ret = DeletionReturn(
        kind=Kind.DELETION,
        school=data.school,
        parent_names=data.parent_names.strip(),
        parent_address=data.parent_address.strip(),
        emergency_phone=data.emergency_phone.strip(),
        new_address=data.new_address.strip(),
        new_address_from=data.new_address_from,
        new_school=data.new_school,
        new_school_name=data.new_school_name.strip(),
        new_school_start=data.new_school_start,
        ground=code,
        deletion_date=data.deletion_date,
        lost_pupil=data.lost_pupil,
        route=g.route_for(has_new_school=has_new_school).value,
        import_batch=batch,
    )
    _fill(ret, data.child, upn)
    _stamp(ret, by, for_school=data.school)
    if g.needs_la_confirmation:
        ret.shared_status = SharedStatus.AWAITING_LA_CONFIRMATION
    return ret


def new_pupil_return_check(*, data: NewPupilData, by: User) -> str:
    """Every refusal of a new-pupil return, without writing. Returns the normalised UPN."""
    if not can_submit_school_returns(by):
        raise IntakeError("Only a school or the CME team can send a new-pupil return.")
    if is_school_user(by) and by.organisation and by.organisation.school_id != data.school.pk:
        raise IntakeError("You can only send returns for your own school.", "school")
    upn = _check_child(data.child)
    _not_future(data.start_date, "The start date", "start_date")
    if data.child.date_of_birth and data.start_date < data.child.date_of_birth:
        raise IntakeError("The start date must be after the date of birth", "start_date")
    return upn


@transaction.atomic
def new_pupil_return_submit(
    *, data: NewPupilData, by: User, batch: ImportBatch | None = None
) -> NewPupilReturn:
    return _save_return(new_pupil_return_build(data=data, by=by, batch=batch), by=by, batch=batch)


def new_pupil_return_build(
    *, data: NewPupilData, by: User, batch: ImportBatch | None = None
) -> NewPupilReturn:
    """The checked, unsaved return (see deletion_return_build)."""
    upn = new_pupil_return_check(data=data, by=by)
    ret = NewPupilReturn(
        kind=Kind.NEW_PUPIL,
        school=data.school,
        start_date=data.start_date,
        parent_names=data.parent_names.strip(),
        parent_phone=data.parent_phone.strip(),
        previous_school=data.previous_school.strip(),
        route=Route.RECORD_ONLY.value,
        import_batch=batch,
    )
    _fill(ret, data.child, upn)
    _stamp(ret, by, for_school=data.school)
    return ret


@transaction.atomic
def cme_referral_submit(*, data: CmeReferralData, by: User) -> CmeReferral:
    if not can_refer(by):
        raise IntakeError("Only a school, a partner agency or the CME team can make a referral.")
    upn = _check_child(data.child, need_dob=False)
    if not data.referrer_name.strip():
        raise IntakeError("Enter your name", "referrer_name")
    if data.referral_source not in ReferralSource.values:
        raise IntakeError("Choose who is making the referral", "referral_source")
    _not_future(data.date_last_attended, "Date last attended", "date_last_attended")
    if data.social_care_outcome.strip() and not data.social_care_referred:
        raise IntakeError(
            "Say the child was referred to children's social care, or leave the outcome blank",
            "social_care_referred",
        )
    for action in data.actions:
        _not_future(action.done_on, "The date of an action", "actions")
        if not action.action.strip():
            raise IntakeError("Say what each action was", "actions")
    for visit in data.home_visits:
        _not_future(visit.visited_on, "The date of a home visit", "home_visits")
        if not visit.address.strip():
            raise IntakeError("Enter the address of each home visit", "home_visits")
    school = data.last_school
    if is_school_user(by) and by.organisation and school is None:
        school = by.organisation.school
    ref = CmeReferral(
        kind=Kind.REFERRAL,
        school=school,
        referrer_name=data.referrer_name.strip(),
        referrer_role=data.referrer_role.strip(),
        referrer_phone=data.referrer_phone.strip(),
        referral_source=data.referral_source,
        parent_names=data.parent_names.strip(),
        parent_phone=data.parent_phone.strip(),
        date_last_attended=data.date_last_attended,
        primary_reason=data.primary_reason,
        dsl_risk_view=data.dsl_risk_view.strip(),
        risk_level=RiskLevel(data.risk_level).value,
        social_care_referred=data.social_care_referred,
        social_care_outcome=data.social_care_outcome.strip(),
        route=Route.OPEN_CASE.value,
    )
    _fill(ref, data.child, upn)
    _stamp(ref, by)
    with acting_as(by):
        ref.save()
        ref.secondary_reasons.set([r for r in data.secondary_reasons if r != data.primary_reason])
        ref.flags.set(data.flags)
        for a in data.actions:
            ReferralAction.objects.create(
                referral=ref, done_on=a.done_on, action=a.action.strip(), outcome=a.outcome.strip()
            )
        for v in data.home_visits:
            HomeVisit.objects.create(
                referral=ref,
                visited_on=v.visited_on,
                visited_at=v.visited_at,
                address=v.address.strip(),
                who_was_seen=v.who_was_seen.strip(),
            )
    _touch_open_case(ref, by)
    _acknowledge(ref)
    return ref


@transaction.atomic
def other_la_notification_submit(*, data: OtherLaData, by: User) -> OtherLaNotification:
    if not can_notify_as_other_la(by):
        raise IntakeError("Only another authority (or the CME team for it) can send this.")
    if data.nature not in {Nature.MOVED_IN, Nature.ENQUIRY}:
        raise IntakeError("Choose what the notification is about", "nature")
    upn = _check_child(data.child, need_dob=False)
    la_name = data.other_la_name.strip()
    la_code = data.other_la_code.strip()
    if is_other_la_user(by) and by.organisation:
        la_name, la_code = by.organisation.name, by.organisation.la_code
    if not la_name:
        raise IntakeError("Enter the authority sending the notification", "other_la_name")
    note = OtherLaNotification(
        kind=Kind.OTHER_LA,
        direction=Direction.INBOUND,
        nature=data.nature,
        other_la_name=la_name,
        other_la_code=la_code,
        officer_name=data.officer_name.strip(),
        officer_phone=data.officer_phone.strip(),
        officer_email=data.officer_email.strip(),
        previous_address=data.previous_address.strip(),
        concerns=data.concerns.strip(),
        route=Route.OPEN_CASE.value,
    )
    _fill(note, data.child, upn)
    _stamp(note, by)
    if data.officer_email.strip() and not note.contact_email:
        note.contact_email = data.officer_email.strip()
    with acting_as(by):
        note.save()
    _touch_open_case(note, by)
    _acknowledge(note)
    return note


@transaction.atomic
def public_concern_submit(*, data: PublicConcernData) -> PublicConcern:
    """No sign-in. Nothing in the answer may reveal whether the child is known."""
    for name, value, message in (
        ("about_child", data.about_child, "Tell us what you know about the child"),
        ("where", data.where, "Tell us where the child is, or might be"),
        ("why_worried", data.why_worried, "Tell us why you are worried"),
    ):
        if not value.strip():
            raise IntakeError(message, name)
    concern = PublicConcern(
        kind=Kind.PUBLIC,
        about_child=data.about_child.strip(),
        where=data.where.strip(),
        why_worried=data.why_worried.strip(),
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
        contact_email=data.contact_email.strip(),
    )
    with acting_as(None):
        concern.save()
    _acknowledge(concern)
    return concern


# --- triage (the CME team) ------------------------------------------------------------------


def _require_triage(by: User) -> None:
    if not can_triage(by):
        raise IntakeError("Only the local authority's CME team can triage submissions.")


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _require_new(submission: Submission) -> None:
    if submission.triage_state != TriageState.NEW:
        raise IntakeError(
            f"{submission.reference} was already triaged "
            f"({submission.get_triage_state_display().lower()})."
        )


def _triage(
    submission: Submission,
    *,
    state: str,
    shared: str,
    by: User,
    note: str = "",
    case: Case | None = None,
) -> None:
    submission.triage_state = state
    submission.triaged_by = by
    submission.triaged_at = timezone.now()
    submission.shared_status = shared
    submission.shared_status_at = timezone.now()
    if note:
        submission.triage_note = note
    if case is not None:
        submission.case = case
    with acting_as(by):
        submission.save(
            update_fields=[
                "triage_state",
                "triaged_by",
                "triaged_at",
                "shared_status",
                "shared_status_at",
                "triage_note",
                "case",
            ]
        )


def _source_for(submission: Submission) -> str:
    if submission.kind in {Kind.DELETION, Kind.NEW_PUPIL}:
        return ReferralSource.SCHOOL
    if submission.kind == Kind.REFERRAL:
        return CmeReferral.objects.get(pk=submission.pk).referral_source
    if submission.kind == Kind.OTHER_LA:
        return ReferralSource.OTHER_LA
    return ReferralSource.PUBLIC


def _summary(submission: Submission) -> str:
    """The timeline text for a case this submission touched: what came in, no more."""
    first = (
        f"{submission.get_kind_display()} {submission.reference} received "
        f"{timezone.localtime(submission.received_at):%d/%m/%Y}."
    )
    details = submission_details(submission)
    return f"{first}\n{details}" if details else first


def submission_details(submission: Submission) -> str:
    """What came in, beyond its kind and reference: shown under the timeline line."""
    detail = submission.detail
    lines: list[str] = []
    if isinstance(detail, DeletionReturn):
        lines.append(
            f"Ground {detail.ground_info.label}; deletion date {detail.deletion_date:%d/%m/%Y}."
        )
        if detail.new_school or detail.new_school_name:
            lines.append(f"New school: {detail.new_school or detail.new_school_name}.")
        if detail.new_address:
            lines.append(f"New address: {detail.new_address}.")
        if detail.la_confirmed_at:
            lines.append(
                f"Joint enquiries confirmed exhausted by {detail.la_confirmed_by} on "
                f"{timezone.localtime(detail.la_confirmed_at):%d/%m/%Y}."
            )
    elif isinstance(detail, NewPupilReturn):
        lines.append(f"Started at {detail.school} on {detail.start_date:%d/%m/%Y}.")
    elif isinstance(detail, CmeReferral):
        lines.append(f"Referred by {detail.referrer_name} ({detail.referrer_role}).")
        if detail.dsl_risk_view:
            lines.append(f"DSL's view of risk: {detail.dsl_risk_view}")
    elif isinstance(detail, OtherLaNotification):
        lines.append(f"From {detail.other_la_name}: {detail.get_nature_display()}.")
        if detail.concerns:
            lines.append(f"Concerns: {detail.concerns}")
    elif isinstance(detail, PublicConcern):
        lines.append(f"Why the caller is worried: {detail.why_worried}")
    return "\n".join(lines)


def _referral_data(
    submission: Submission,
    *,
    primary_reason: MissingReason | None,
    forenames: str,
    surname: str,
    date_of_birth: date | None,
) -> ReferralData:
    detail = submission.detail
    state = Address.State.KNOWN
    if isinstance(detail, DeletionReturn) and detail.ground_info.whereabouts_unknown:
        state = Address.State.UNKNOWN
    if state == Address.State.KNOWN and not (submission.address_line_1 or submission.postcode):
        state = Address.State.UNKNOWN
    contacts: list[ContactData] = []
    parents = getattr(detail, "parent_names", "")
    phone = getattr(detail, "emergency_phone", "") or getattr(detail, "parent_phone", "")
    if parents:
        contacts.append(ContactData(name=parents, phone=phone))
    child = ChildData(
        forenames=forenames,
        surname=surname,
        date_of_birth=date_of_birth,
        sex=submission.sex,
        upn=submission.upn,
        address=AddressData(
            state=state,
            line_1=submission.address_line_1,
            town=submission.town,
            postcode=submission.postcode,
        ),
        contacts=contacts,
    )
    reason_code = "other"
    flags: list[VulnerabilityFlagType] = []
    secondary: list[MissingReason] = []
    risk = RiskLevel.MEDIUM
    date_last_attended = None
    if isinstance(detail, DeletionReturn):
        reason_code = detail.ground_info.reason_code
    elif isinstance(detail, OtherLaNotification):
        reason_code = (
            "no-place-after-move" if detail.nature == Nature.MOVED_IN else "whereabouts-unknown"
        )
    elif isinstance(detail, CmeReferral):
        flags = list(detail.flags.all())
        secondary = list(detail.secondary_reasons.all())
        risk = RiskLevel(detail.risk_level)
        date_last_attended = detail.date_last_attended
    if primary_reason is None:
        if isinstance(detail, CmeReferral):
            primary_reason = detail.primary_reason
        else:
            primary_reason = MissingReason.objects.get(code=reason_code)
    referrer = submission.organisation.name if submission.organisation else "Member of the public"
    return ReferralData(
        child=child,
        primary_reason=primary_reason,
        secondary_reasons=secondary,
        referral_source=_source_for(submission),
        referral_date=timezone.localdate(submission.received_at),
        referrer=f"{referrer} ({submission.reference})",
        last_school=submission.school,
        date_last_attended=date_last_attended,
        risk_level=risk,
        flags=flags,
        note=_summary(submission),
    )


def _open_or_link(
    submission: Submission,
    *,
    by: User,
    primary_reason: MissingReason | None = None,
    forenames: str = "",
    surname: str = "",
    date_of_birth: date | None = None,
) -> Case:
    """Open a case for the child; if they already have an open case, add this to it."""
    forenames = forenames.strip() or submission.forenames
    surname = surname.strip() or submission.surname
    date_of_birth = date_of_birth or submission.date_of_birth
    if not (forenames and surname):
        raise IntakeError("Enter the child's first name and surname to open a case", "forenames")
    existing = child_find_existing(
        upn=submission.upn, forenames=forenames, surname=surname, date_of_birth=date_of_birth
    )
    open_case = existing.cases.filter(status__in=OPEN_STATUSES).first() if existing else None
    if open_case is not None:
        record_received(case=open_case, submission=submission, by=by)
        _triage(
            submission,
            state=TriageState.LINKED,
            shared=SharedStatus.UNDER_ENQUIRY,
            by=by,
            case=open_case,
            note=f"Added to the child's open case {open_case.reference}.",
        )
        return open_case
    data = _referral_data(
        submission,
        primary_reason=primary_reason,
        forenames=forenames,
        surname=surname,
        date_of_birth=date_of_birth,
    )
    try:
        result = referral_record(data=data, by=by)
    except CaseError as error:
        raise IntakeError(str(error)) from error
    _triage(
        submission,
        state=TriageState.LINKED,
        shared=SharedStatus.UNDER_ENQUIRY,
        by=by,
        case=result.case,
        note=f"Case {result.case.reference} opened.",
    )
    return result.case


@transaction.atomic
def submission_open_case(
    *,
    submission: Submission,
    by: User,
    primary_reason: MissingReason | None = None,
    forenames: str = "",
    surname: str = "",
    date_of_birth: date | None = None,
) -> Case:
    """Open a CME case from a submission (or add it to the child's open case)."""
    _require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    detail = submission.detail
    if isinstance(detail, DeletionReturn) and detail.awaiting_la_confirmation:
        raise IntakeError(
            f"Ground ({detail.ground}) needs the LA's confirmation that joint enquiries are "
            "exhausted before a case is opened."
        )
    return _open_or_link(
        submission,
        by=by,
        primary_reason=primary_reason,
        forenames=forenames,
        surname=surname,
        date_of_birth=date_of_birth,
    )


@transaction.atomic
def submission_apply_route(*, submission: Submission, by: User) -> Submission:
    """Do what the ground (or kind) says: open a case, pass to EHE, or record only."""
    _require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    if not submission.route:
        raise IntakeError("Choose what to do: open a case, link it to a case or take no action.")
    route = Route(submission.route)
    detail = submission.detail
    if isinstance(detail, DeletionReturn) and detail.awaiting_la_confirmation:
        raise IntakeError(
            f"Ground ({detail.ground}) needs the LA's confirmation that joint enquiries are "
            "exhausted before a case is opened."
        )
    if route == Route.OPEN_CASE:
        _open_or_link(submission, by=by)
    elif route == Route.PASS_TO_EHE:
        case = find_open_case(submission)
        if case is not None:
            record_received(case=case, submission=submission, by=by)
            # The officer's decision, in the officer's name.
            case_add_note(
                case=case,
                text=f"{submission.reference} passed to the elective home education team.",
                by=by,
            )
        _triage(
            submission,
            state=TriageState.TRIAGED,
            shared=SharedStatus.PASSED_TO_EHE,
            by=by,
            case=case,
            note="Passed to the elective home education team.",
        )
    else:
        shared = SharedStatus.RECORDED
        if isinstance(detail, DeletionReturn) and detail.has_new_school:
            shared = SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
        case = find_open_case(submission)
        if case is not None:
            record_received(case=case, submission=submission, by=by)
        _triage(
            submission, state=TriageState.TRIAGED, shared=shared, by=by, case=case, note="Recorded."
        )
    submission.refresh_from_db()
    return submission


@transaction.atomic
def deletion_confirm_enquiries(
    *, deletion: DeletionReturn, by: User, note: str, open_case: bool = True
) -> DeletionReturn:
    """Grounds (h) and (i): the LA records that joint enquiries are exhausted (who, when, what),
    then the return is routed (a CME case, whereabouts unknown)."""
    _require_triage(by)
    deletion = DeletionReturn.objects.select_for_update().get(pk=deletion.pk)
    if not deletion.ground_info.needs_la_confirmation:
        raise IntakeError(f"Ground ({deletion.ground}) does not need the LA's confirmation.")
    if deletion.la_confirmed_at is not None:
        raise IntakeError("The LA has already confirmed joint enquiries for this return.")
    if not note.strip():
        raise IntakeError("Say which enquiries the LA made and their outcome", "note")
    with acting_as(by):
        deletion.la_confirmed_by = by
        deletion.la_confirmed_at = timezone.now()
        deletion.la_confirmation_note = note.strip()
        deletion.shared_status = SharedStatus.RECEIVED
        deletion.shared_status_at = timezone.now()
        deletion.save(
            update_fields=[
                "la_confirmed_by",
                "la_confirmed_at",
                "la_confirmation_note",
                "shared_status",
                "shared_status_at",
            ]
        )
    if open_case and deletion.triage_state == TriageState.NEW:
        _open_or_link(deletion, by=by)
    deletion.refresh_from_db()
    return deletion


@transaction.atomic
def submission_link_case(*, submission: Submission, case: Case, by: User) -> Submission:
    _require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    record_received(case=case, submission=submission, by=by)
    _triage(
        submission,
        state=TriageState.LINKED,
        shared=SharedStatus.UNDER_ENQUIRY if case.is_open else SharedStatus.RECORDED,
        by=by,
        case=case,
        note=f"Linked to case {case.reference}.",
    )
    return submission


@transaction.atomic
def submission_no_action(
    *,
    submission: Submission,
    reason: str,
    by: User,
    shared_status: str = SharedStatus.CLOSED_NO_ACTION,
) -> Submission:
    _require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    if not reason.strip():
        raise IntakeError("Say why no action is needed", "reason")
    if shared_status not in SharedStatus.values:
        raise IntakeError("Choose what the sender is told", "shared_status")
    _triage(
        submission,
        state=TriageState.NO_ACTION,
        shared=shared_status,
        by=by,
        note=reason.strip(),
    )
    return submission


@transaction.atomic
def new_pupil_close_case(*, submission: Submission, by: User) -> Case:
    """The child of an open CME case has started at a school: close it, on roll there."""
    _require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    detail = submission.detail
    if not isinstance(detail, NewPupilReturn):
        raise IntakeError("Only a new-pupil return can close a case as on roll.")
    case = find_open_case(submission)
    if case is None:
        raise IntakeError("This child has no open CME case to close.")
    try:
        case = case_close(
            case=case,
            outcome=Outcome.ON_ROLL_THIS_LA,
            by=by,
            closed_on=max(min(detail.start_date, timezone.localdate()), case.referral_date),
            note=f"On roll at {detail.school} from {detail.start_date:%d/%m/%Y} "
            f"(new-pupil return {submission.reference}).",
        )
    except (CaseError, TransitionError) as error:
        raise IntakeError(str(error)) from error
    _triage(
        submission,
        state=TriageState.LINKED,
        shared=SharedStatus.CLOSED_ON_ROLL_HERE,
        by=by,
        case=case,
        note=f"Case {case.reference} closed: on roll at {detail.school}.",
    )
    return case


# --- outbound hand-over to another authority (DOMAIN.md §6) ---------------------------------

HANDOVER_TRANSITIONS: dict[HandoverState, frozenset[HandoverState]] = {
    HandoverState.SENT: frozenset(
        {
            HandoverState.ACKNOWLEDGED,
            HandoverState.ACCEPTED,
            HandoverState.DECLINED,
            HandoverState.WITHDRAWN,
        }
    ),
    HandoverState.ACKNOWLEDGED: frozenset(
        {HandoverState.ACCEPTED, HandoverState.DECLINED, HandoverState.WITHDRAWN}
    ),
    HandoverState.ACCEPTED: frozenset(),
    HandoverState.DECLINED: frozenset(),
    HandoverState.WITHDRAWN: frozenset(),
}
ACTIVE_HANDOVER = (HandoverState.SENT, HandoverState.ACKNOWLEDGED)


def _can_reply_to_handover(by: User, notification: OtherLaNotification) -> bool:
    """The receiving authority's own users may acknowledge, accept or decline."""
    org = by.organisation
    return bool(
        is_other_la_user(by)
        and org is not None
        and org.la_code
        and org.la_code == notification.other_la_code
    )


@transaction.atomic
def handover_send(
    *,
    case: Case,
    other_la_name: str,
    by: User,
    other_la_code: str = "",
    new_address: str = "",
    concerns: str = "",
) -> OtherLaNotification:
    """Notify another authority that the child moved there. The case stays open (transferred)
    until that authority accepts."""
    _require_triage(by)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise IntakeError("A closed case cannot be handed over.")
    if not other_la_name.strip():
        raise IntakeError("Enter the receiving authority", "other_la_name")
    if OtherLaNotification.objects.filter(
        case=case, direction=Direction.OUTBOUND, handover_state__in=ACTIVE_HANDOVER
    ).exists():
        raise IntakeError("This case already has a hand-over waiting for an answer.")
    child = case.child
    note = OtherLaNotification(
        kind=Kind.OTHER_LA,
        direction=Direction.OUTBOUND,
        nature=Nature.HANDOVER,
        other_la_name=other_la_name.strip(),
        other_la_code=other_la_code.strip(),
        previous_address=str(child.current_address or ""),
        concerns=concerns.strip(),
        forenames=child.forenames,
        surname=child.surname,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        upn=child.upn,
        case=case,
        handover_state=HandoverState.SENT,
        triage_state=TriageState.LINKED,
        triaged_by=by,
        triaged_at=timezone.now(),
    )
    note.address_line_1 = new_address.strip()[:200]
    _stamp(note, by)
    note.contact_email = ""
    with acting_as(by):
        note.save()
        HandoverChange.objects.create(notification=note, from_state="", to_state="sent", by=by)
    _record_handover(note, case=case, state=HandoverState.SENT, by=by)
    if Status.TRANSFERRED in _allowed(case):
        try:
            case_change_status(
                case=case,
                to=Status.TRANSFERRED,
                by=by,
                note=f"Handed over to {note.other_la_name} ({note.reference}).",
            )
        except (CaseError, TransitionError) as error:
            raise IntakeError(str(error)) from error
    return note


def _allowed(case: Case) -> frozenset[Status]:
    from cmetrack.cases.status import allowed_next

    return allowed_next(Status(case.status))


@transaction.atomic
def handover_update(
    *, notification: OtherLaNotification, to: str, by: User, reason: str = ""
) -> OtherLaNotification:
    """Move a hand-over on. Accepted closes the case (handed to another LA); declined or
    withdrawn returns it to enquiries. Every move is audited and written on the case."""
    notification = OtherLaNotification.objects.select_for_update().get(pk=notification.pk)
    if notification.direction != Direction.OUTBOUND:
        raise IntakeError("Only an outbound hand-over has these states.")
    new = HandoverState(to)
    replying = new in {HandoverState.ACKNOWLEDGED, HandoverState.ACCEPTED, HandoverState.DECLINED}
    if not (can_triage(by) or (replying and _can_reply_to_handover(by, notification))):
        raise IntakeError("You cannot change this hand-over.")
    old = HandoverState(notification.handover_state)
    if new not in HANDOVER_TRANSITIONS[old]:
        raise IntakeError(
            f"A hand-over cannot move from {old.label.lower()} to {new.label.lower()}."
        )
    if new == HandoverState.DECLINED and not reason.strip():
        raise IntakeError("Enter the reason the authority gave for declining", "reason")
    with acting_as(by):
        notification.handover_state = new
        notification.handover_reason = reason.strip()
        notification.save(update_fields=["handover_state", "handover_reason"])
        HandoverChange.objects.create(
            notification=notification,
            from_state=old.value,
            to_state=new.value,
            by=by,
            reason=reason.strip(),
        )
    case = notification.case
    if case is None:
        return notification
    # The line is written by whoever answered: the CME team, or the receiving authority itself.
    _record_handover(notification, case=case, state=new, by=by, reason=reason.strip())
    text = (
        f"Hand-over {notification.reference} to {notification.other_la_name}: {new.label.lower()}"
    )
    if reason.strip():
        text += f" ({reason.strip()})"
    # The case is the CME team's: the other authority's reply is written by the team's record
    # of it, or, when that authority answers itself, by whoever sent the hand-over.
    actor = by if can_triage(by) else notification.submitted_by
    if actor is None or not is_la_staff(actor):
        raise IntakeError("The hand-over has no CME officer to record the reply against.")
    try:
        if new == HandoverState.ACCEPTED:
            case_close(case=case, outcome=Outcome.HANDED_TO_OTHER_LA, by=actor, note=text + ".")
        elif new in {HandoverState.DECLINED, HandoverState.WITHDRAWN} and (
            Case.objects.get(pk=case.pk).status == Status.TRANSFERRED
        ):
            case_change_status(case=case, to=Status.ENQUIRIES, by=actor, note=text + ".")
    except (CaseError, TransitionError) as error:
        raise IntakeError(str(error)) from error
    return notification
