"""Triage: the CME team decides what each submission means for a child (open a case, link it
to one, pass it to the EHE team, record it, or no action)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_triage
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import Case, MissingReason, Outcome
from cmetrack.cases.services import (
    CaseError,
    ReferralData,
    case_add_note,
    case_close,
    referral_record,
)
from cmetrack.cases.status import OPEN_STATUSES, TransitionError
from cmetrack.children.models import Address
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import AddressData, ChildData, ContactData
from cmetrack.core.grounds import Route
from cmetrack.core.school_age import AgeStatus, school_age_status
from cmetrack.ehe.models import EheRecord
from cmetrack.ehe.services import EheError, ehe_record_from_deletion_return

from ..models import DeletionReturn, NewPupilReturn, SharedStatus, Submission, TriageState
from ..signals import submission_triaged
from .common import find_open_case, record_received
from .errors import IntakeError
from .kinds import rules_for, submission_details


def require_triage(by: User) -> None:
    if not can_triage(by):
        raise IntakeError("Only the local authority's CME team can triage submissions.")


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _refuse_while_awaiting_agreement(detail: Submission) -> None:
    """Grounds (h)/(i) wait for a manager's agreement (joint_enquiries.py) before triage."""
    if isinstance(detail, DeletionReturn) and detail.awaiting_la_confirmation:
        raise IntakeError(
            f"Ground ({detail.ground}) needs a manager's agreement that joint enquiries are "
            "exhausted, and the removal date, first"
            + (f"; its at-risk case {detail.case} is open." if detail.case_id else ".")
        )


def _refuse_outside_school_age(date_of_birth: date | None, on: date) -> None:
    """A child under or over compulsory school age is not missing education (DOMAIN.md §1):
    the notice stays recorded, and the officer records no action with the reason instead."""
    if date_of_birth is None:
        return
    status = school_age_status(date_of_birth, on)
    if status.status is not AgeStatus.COMPULSORY:
        raise IntakeError(
            f"Not a CME case: the child was not of compulsory school age on {on:%d/%m/%Y} "
            f"({status.describe()}). Record no action, with the reason, instead.",
            "date_of_birth",
        )


def _require_new(submission: Submission) -> None:
    if submission.triage_state != TriageState.NEW:
        raise IntakeError(
            f"{submission.reference} was already triaged "
            f"({submission.get_triage_state_display().lower()})."
        )


def triage_write(
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
    submission_triaged.send(
        sender=Submission,
        submission=submission,
        state=state,
        shared_status=shared,
        note=note,
        by=by,
    )


def _summary(submission: Submission) -> str:
    """The timeline text for a case this submission touched: what came in, no more."""
    first = (
        f"{submission.get_kind_display()} {submission.reference} received "
        f"{timezone.localtime(submission.received_at):%d/%m/%Y}."
    )
    details = submission_details(submission)
    return f"{first}\n{details}" if details else first


def referral_data_for(
    submission: Submission,
    *,
    primary_reason: MissingReason | None,
    forenames: str,
    surname: str,
    date_of_birth: date | None,
) -> ReferralData:
    detail = submission.detail
    rules = rules_for(detail)
    start = rules.case_start(detail)
    state = Address.State.UNKNOWN if start.whereabouts_unknown else Address.State.KNOWN
    if state == Address.State.KNOWN and not (submission.address_line_1 or submission.postcode):
        state = Address.State.UNKNOWN
    contacts: list[ContactData] = []
    if start.parent_names:
        contacts.append(ContactData(name=start.parent_names, phone=start.parent_phone))
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
    if primary_reason is None:
        primary_reason = start.primary_reason or MissingReason.objects.get(code=start.reason_code)
    referrer = submission.organisation.name if submission.organisation else "Member of the public"
    return ReferralData(
        child=child,
        primary_reason=primary_reason,
        secondary_reasons=start.secondary_reasons,
        referral_source=rules.source(detail),
        referral_date=timezone.localdate(submission.received_at),
        referrer=f"{referrer} ({submission.reference})",
        last_school=submission.school,
        date_last_attended=start.date_last_attended,
        risk_level=start.risk_level,
        category=start.category,
        flags=start.flags,
        note=_summary(submission),
    )


def open_or_link(
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
    _refuse_outside_school_age(date_of_birth, timezone.localdate(submission.received_at))
    existing = child_find_existing(
        upn=submission.upn, forenames=forenames, surname=surname, date_of_birth=date_of_birth
    )
    open_case = existing.cases.filter(status__in=OPEN_STATUSES).first() if existing else None
    if open_case is not None:
        record_received(case=open_case, submission=submission, by=by)
        triage_write(
            submission,
            state=TriageState.LINKED,
            shared=SharedStatus.UNDER_ENQUIRY,
            by=by,
            case=open_case,
            note=f"Added to the child's open case {open_case.reference}.",
        )
        return open_case
    data = referral_data_for(
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
    triage_write(
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
    require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    detail = submission.detail
    _refuse_while_awaiting_agreement(detail)
    return open_or_link(
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
    require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    if not submission.route:
        raise IntakeError("Choose what to do: open a case, link it to a case or take no action.")
    route = Route(submission.route)
    detail = submission.detail
    _refuse_while_awaiting_agreement(detail)
    if route == Route.OPEN_CASE:
        open_or_link(submission, by=by)
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
        record = _ehe_record_for(submission, detail, by=by)
        triage_write(
            submission,
            state=TriageState.TRIAGED,
            shared=SharedStatus.PASSED_TO_EHE,
            by=by,
            case=case,
            note=f"Passed to the elective home education team ({record.reference}).",
        )
    else:
        # destinations builds on this module (a lapsed destination opens a case through
        # open_or_link), so it is imported here, not at the top.
        from .destinations import awaits_destination, destination_await

        case = find_open_case(submission)
        if case is not None:
            record_received(case=case, submission=submission, by=by)
        if isinstance(detail, DeletionReturn) and awaits_destination(detail):
            # A named new school is not a confirmed one: awaiting confirmation, not yet
            # "Closed: on roll elsewhere" (services/destinations.py).
            destination_await(deletion=detail, by=by, case=case)
        else:
            triage_write(
                submission,
                state=TriageState.TRIAGED,
                shared=SharedStatus.RECORDED,
                by=by,
                case=case,
                note="Recorded.",
            )
    submission.refresh_from_db()
    return submission


def _ehe_record_for(submission: Submission, detail: Submission, *, by: User) -> EheRecord:
    """Ground (f): the child joins the EHE register from the day they left the roll."""
    if not isinstance(detail, DeletionReturn):
        raise IntakeError("Only a deletion return on ground (f) can be passed to the EHE team.")
    child = referral_data_for(
        submission,
        primary_reason=None,
        forenames=submission.forenames,
        surname=submission.surname,
        date_of_birth=submission.date_of_birth,
    ).child
    try:
        return ehe_record_from_deletion_return(
            child_data=child,
            deletion_date=detail.deletion_date,
            reference=submission.reference,
            by=by,
        )
    except EheError as error:
        raise IntakeError(str(error), error.field) from error


@transaction.atomic
def submission_link_case(*, submission: Submission, case: Case, by: User) -> Submission:
    require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    record_received(case=case, submission=submission, by=by)
    triage_write(
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
    require_triage(by)
    submission = _locked(submission)
    _require_new(submission)
    if not reason.strip():
        raise IntakeError("Say why no action is needed", "reason")
    if shared_status not in SharedStatus.values:
        raise IntakeError("Choose what the sender is told", "shared_status")
    triage_write(
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
    require_triage(by)
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
    triage_write(
        submission,
        state=TriageState.LINKED,
        shared=SharedStatus.CLOSED_ON_ROLL_HERE,
        by=by,
        case=case,
        note=f"Case {case.reference} closed: on roll at {detail.school}.",
    )
    return case
