"""Writes to the EHE register. Keyword-only, one transaction each, audited (auditlog).

Ground (f) deletion returns reach here from triage (referrals/services/triage.py), a parent's
notice from the register's own form. "Home education judged unsuitable" ends the record and
moves the child into CME through the cases services; a child with a child protection plan
withdrawn to home education is flagged to a manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.access import (
    can_acknowledge_ehe_alert,
    can_record_ehe_notice,
    can_work_cases,
    can_work_ehe,
)
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, MissingReason, Outcome, ReferralSource
from cmetrack.cases.services import (
    CaseError,
    ReferralData,
    case_flag_add,
    escalation_raise,
    event_write,
    referral_record,
)
from cmetrack.cases.status import OPEN_STATUSES
from cmetrack.children.models import Child, ChildFlag, VulnerabilityFlagType
from cmetrack.children.selectors import child_find_existing
from cmetrack.children.services import (
    ChildData,
    ChildError,
    child_add_referral_details,
    child_create,
    child_flag_add,
)
from cmetrack.notifications.services import email_queue

from .models import EheReason, EheRecord, EheReview, EndReason, Provider, Source

# The first review of a new record falls due four weeks after home education starts, unless the
# officer sets another date: the guidance asks the authority to make informal enquiries soon after
# it learns of a child (docs/home-education.md). An authority's practice may differ.
FIRST_REVIEW_DAYS = 28
# The vulnerability flag whose withdrawal to home education a manager must see, and the reason
# and flag a child moved into CME from the register is recorded under (reference data codes).
CHILD_PROTECTION_PLAN = "child-protection-plan"
EHE_UNSUITABLE = "ehe-unsuitable"
MAX_HOURS_PER_WEEK = 168


class EheError(Exception):
    """A change to the register that cannot be made; the message is shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EheStart:
    start_date: date
    source: str
    source_reference: str = ""
    reason: EheReason | None = None
    provider: str = Provider.NOT_KNOWN
    provider_details: str = ""
    hours_per_week: int | None = None
    next_review_due: date | None = None


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise EheError(message)


def _locked(record: EheRecord) -> EheRecord:
    return EheRecord.objects.select_for_update().select_related("child").get(pk=record.pk)


def _require_open(record: EheRecord) -> None:
    if not record.is_open:
        raise EheError(
            f"{record.reference} ended on {record.end_date:%d/%m/%Y}: "
            "record a new notice to put the child on the register again."
        )


def _check_start(start: EheStart) -> None:
    if start.source not in Source.values:
        raise EheError("Choose where the notice came from", "source")
    if start.provider not in Provider.values:
        raise EheError("Choose who provides the education", "provider")
    if start.hours_per_week is not None and not 0 <= start.hours_per_week <= MAX_HOURS_PER_WEEK:
        raise EheError(f"Hours a week must be between 0 and {MAX_HOURS_PER_WEEK}", "hours_per_week")
    if start.next_review_due is not None and start.next_review_due < start.start_date:
        raise EheError(
            "The first review cannot be due before home education starts", "next_review_due"
        )
    reason = start.reason
    if reason is not None and not _in_force(reason, start.start_date):
        raise EheError(
            f"“{reason.label}” is not a reason in use on {start.start_date:%d/%m/%Y}", "reason"
        )


def _in_force(reason: EheReason, on: date) -> bool:
    return (reason.valid_from is None or reason.valid_from <= on) and (
        reason.valid_to is None or reason.valid_to >= on
    )


def _child_for(child: Child | None, child_data: ChildData | None, by: User | None) -> Child:
    """The child named, or the one already known by UPN or name and date of birth (given what
    the record lacks), or a new record."""
    if child is not None:
        if child.merged_into_id is not None:
            raise EheError("That record was merged into another: choose the child again.")
        return child
    if child_data is None:
        raise EheError("Say which child this is.")
    if not (child_data.forenames.strip() and child_data.surname.strip()):
        raise EheError("Enter the child's first name and surname", "forenames")
    found = child_find_existing(
        upn=child_data.upn,
        forenames=child_data.forenames,
        surname=child_data.surname,
        date_of_birth=child_data.date_of_birth,
    )
    if found is None:
        return child_create(data=child_data, by=by)
    child_add_referral_details(child=found, data=child_data, by=by)
    return found


@transaction.atomic
def ehe_record_open(
    *,
    start: EheStart,
    by: User,
    child: Child | None = None,
    child_data: ChildData | None = None,
) -> EheRecord:
    """Put a child on the register: from a parent's notice, a ground (f) return or otherwise."""
    _require(
        can_record_ehe_notice(by),
        "Only the local authority's EHE and CME teams can add a child to the register.",
    )
    _check_start(start)
    child = _child_for(child, child_data, by)
    # Locks the child so two notices about one child cannot both open a record.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    existing = child.ehe_records.filter(end_date__isnull=True).first()
    if existing is not None:
        raise EheError(
            f"{child.full_name} is already on the home education register ({existing.reference})."
        )
    with acting_as(by):
        record = EheRecord.objects.create(
            child=child,
            source=start.source,
            source_reference=start.source_reference.strip(),
            start_date=start.start_date,
            reason=start.reason,
            provider=start.provider,
            provider_details=start.provider_details.strip(),
            hours_per_week=start.hours_per_week,
            next_review_due=start.next_review_due
            or start.start_date + timedelta(days=FIRST_REVIEW_DAYS),
            created_by=by,
        )
    _alert_if_child_protection(record, by)
    return record


def ehe_record_from_deletion_return(
    *, child_data: ChildData, deletion_date: date, reference: str, by: User
) -> EheRecord:
    """A ground (f) deletion return passed to the EHE team: the child joins the register from
    the day they left the roll. Call inside triage's transaction. A child already on the
    register keeps the record they have (the return is a second notice of the same episode)."""
    child = _child_for(None, child_data, by)
    existing = child.ehe_records.filter(end_date__isnull=True).first()
    if existing is not None:
        return existing
    return ehe_record_open(
        start=EheStart(
            start_date=deletion_date, source=Source.DELETION_RETURN, source_reference=reference
        ),
        child=child,
        by=by,
    )


def _alert_if_child_protection(record: EheRecord, by: User | None) -> None:
    """A child with a child protection plan withdrawn to home education goes to a manager: the
    record carries an alert until a manager acknowledges it, and the child's open CME case (if
    any) raises its escalation, the same one the flag raises on a case."""
    flag = (
        record.child.flags.filter(removed_at__isnull=True, flag_type__code=CHILD_PROTECTION_PLAN)
        .select_related("flag_type")
        .first()
    )
    if flag is None:
        return
    with acting_as(by):
        record.alert_raised_at = timezone.now()
        record.alert_reason = f"{flag.flag_type.label}: withdrawn to home education"
        record.save(update_fields=["alert_raised_at", "alert_reason", "updated_at"])
    case = _open_case(record.child)
    if case is not None:
        escalation_raise(case=case, flag_type=flag.flag_type, by=by)


@transaction.atomic
def ehe_record_for_closed_case(*, case: Case, by: User) -> EheRecord | None:
    """A CME case closed as "suitable home education (passed to EHE team)": the child joins the
    register that day, named by the case, unless already on it (a ground (f) return at triage
    opens the record first). Runs in the closing transaction (cases.signals), so the case never
    closes with the child on no register at all."""
    if case.outcome != Outcome.HOME_EDUCATION or case.closed_on is None:
        return None
    held = EheRecord.objects.filter(child=case.child, end_date__isnull=True).first()
    if held is not None:
        return held
    return ehe_record_open(
        start=EheStart(
            start_date=case.closed_on,
            source=Source.CME_CASE,
            source_reference=case.reference,
        ),
        child=case.child,
        by=by,
    )


@transaction.atomic
def ehe_alert_for_flag_added(*, flag: ChildFlag, by: User | None) -> EheRecord | None:
    """A child protection plan made while the child is on the register: the open record
    carries an alert for a manager again (an earlier alert already acknowledged included), as
    a withdrawal with a plan does. Runs in the flag's own transaction (children.signals)."""
    if flag.flag_type.code != CHILD_PROTECTION_PLAN:
        return None
    record = (
        EheRecord.objects.select_for_update()
        .filter(child_id=flag.child_id, end_date__isnull=True)
        .first()
    )
    if record is None or record.alert_open:
        return record
    with acting_as(by):
        record.alert_raised_at = timezone.now()
        record.alert_reason = f"{flag.flag_type.label}: made while home educated"
        record.alert_acknowledged_at = None
        record.alert_acknowledged_by = None
        record.alert_note = ""
        record.save(
            update_fields=[
                "alert_raised_at",
                "alert_reason",
                "alert_acknowledged_at",
                "alert_acknowledged_by",
                "alert_note",
                "updated_at",
            ]
        )
    return record


def _open_case(child: Child) -> Case | None:
    return child.cases.filter(status__in=OPEN_STATUSES).first()


@transaction.atomic
def ehe_alert_acknowledge(*, record: EheRecord, note: str, by: User) -> EheRecord:
    _require(can_acknowledge_ehe_alert(by), "Only a manager can acknowledge this alert.")
    record = _locked(record)
    if not record.alert_open:
        raise EheError("There is no alert waiting on this record.")
    if not note.strip():
        raise EheError("Say what was decided", "note")
    with acting_as(by):
        record.alert_acknowledged_at = timezone.now()
        record.alert_acknowledged_by = by
        record.alert_note = note.strip()
        record.save(
            update_fields=[
                "alert_acknowledged_at",
                "alert_acknowledged_by",
                "alert_note",
                "updated_at",
            ]
        )
    return record


def _check_day(day: date, record: EheRecord, what: str, field: str) -> None:
    if day > timezone.localdate():
        raise EheError(f"The {what} cannot be in the future", field)
    if day < record.start_date:
        raise EheError(
            f"The {what} cannot be before home education started ({record.start_date:%d/%m/%Y})",
            field,
        )


@transaction.atomic
def ehe_review_record(
    *,
    record: EheRecord,
    reviewed_on: date,
    method: str,
    outcome: str,
    by: User,
    note: str = "",
    next_review_due: date | None = None,
) -> EheReview:
    """A review of the education's suitability. "Unsuitable" ends the record and moves the
    child into CME, in the same transaction."""
    _require(can_work_ehe(by), "Only the EHE team can record a review.")
    record = _locked(record)
    _require_open(record)
    _check_day(reviewed_on, record, "review date", "reviewed_on")
    if method not in EheReview.Method.values:
        raise EheError("Choose how the review was made", "method")
    if outcome not in EheReview.Outcome.values:
        raise EheError("Choose what the review found", "outcome")
    unsuitable = outcome == EheReview.Outcome.UNSUITABLE
    if unsuitable and not note.strip():
        raise EheError("Say why the education is unsuitable", "note")
    if not unsuitable and next_review_due is None:
        raise EheError("Enter when the next review is due", "next_review_due")
    if next_review_due is not None and next_review_due <= reviewed_on:
        raise EheError("The next review must be due after this one", "next_review_due")
    with acting_as(by):
        review = EheReview.objects.create(
            record=record,
            reviewed_on=reviewed_on,
            method=method,
            outcome=outcome,
            note=note.strip(),
            next_review_due=None if unsuitable else next_review_due,
            reviewed_by=by,
        )
        if not unsuitable:
            record.next_review_due = next_review_due
            record.save(update_fields=["next_review_due", "updated_at"])
    if unsuitable:
        _move_into_cme(record, on=reviewed_on, note=note, by=by)
    return review


@transaction.atomic
def ehe_record_end(
    *, record: EheRecord, end_date: date, end_reason: str, by: User, note: str = ""
) -> EheRecord:
    """End the episode. "Judged unsuitable" also moves the child into CME."""
    _require(can_work_ehe(by), "Only the EHE team can end a record.")
    record = _locked(record)
    _require_open(record)
    _check_day(end_date, record, "end date", "end_date")
    if end_reason not in EndReason.values:
        raise EheError("Choose why the record ends", "end_reason")
    if end_reason in {EndReason.JUDGED_UNSUITABLE, EndReason.OTHER} and not note.strip():
        raise EheError("Say why", "note")
    if end_reason == EndReason.JUDGED_UNSUITABLE:
        _move_into_cme(record, on=end_date, note=note, by=by)
    else:
        _end(record, end_date=end_date, end_reason=end_reason, note=note, by=by)
    record.refresh_from_db()
    return record


def _end(record: EheRecord, *, end_date: date, end_reason: str, note: str, by: User) -> None:
    with acting_as(by):
        record.end_date = end_date
        record.end_reason = end_reason
        record.end_note = note.strip()
        record.next_review_due = None
        record.save(
            update_fields=["end_date", "end_reason", "end_note", "next_review_due", "updated_at"]
        )


def _move_into_cme(record: EheRecord, *, on: date, note: str, by: User) -> Case:
    """Home education judged unsuitable: the child is missing education (DOMAIN.md §1). End
    the record, open a CME case (or use the child's open one) and say so on its timeline."""
    _end(record, end_date=on, end_reason=EndReason.JUDGED_UNSUITABLE, note=note, by=by)
    child = record.child
    flag_type = VulnerabilityFlagType.objects.filter(code=EHE_UNSUITABLE).first()
    case = _open_case(child)
    opened = case is None
    if case is None:
        case = _open_cme_case(record, on=on, flag_type=flag_type, by=by)
    if (
        flag_type is not None
        and not child.flags.filter(flag_type=flag_type, removed_at__isnull=True).exists()
    ):
        if can_work_cases(by):
            case_flag_add(case=case, flag_type=flag_type, by=by)
        else:
            # What case_flag_add does, for an officer the cases services do not let in.
            try:
                child_flag_add(child=child, flag_type=flag_type, by=by)
            except ChildError:
                pass  # added a moment ago by another path: the flag is there, as wanted
            else:
                with acting_as(by):
                    event_write(case, EventKind.FLAG_ADDED, by, flag=flag_type.label)
    # An escalating flag (a child protection plan, say) raises the new case's escalation now,
    # not at the next daily job.
    for flag in child.flags.filter(removed_at__isnull=True, flag_type__escalates=True):
        escalation_raise(case=case, flag_type=flag.flag_type, by=by)
    text = (
        f"Home education judged unsuitable on {on:%d/%m/%Y} (EHE record {record.reference}): "
        f"{child.full_name} is missing education"
        + (" and this case was opened." if opened else "; added to this open case.")
    )
    if note.strip():
        text += f"\n{note.strip()}"
    with acting_as(by):
        event_write(case, EventKind.NOTE_ADDED, by, text=text, ehe_record=record.reference)
        record.cme_case = case
        record.save(update_fields=["cme_case", "updated_at"])
    return case


def _open_cme_case(
    record: EheRecord, *, on: date, flag_type: VulnerabilityFlagType | None, by: User
) -> Case:
    child = record.child
    reason = MissingReason.objects.filter(code=EHE_UNSUITABLE).first()
    if reason is None:
        raise EheError(
            "The reason “Home education judged unsuitable” is missing: ask an administrator."
        )
    data = ReferralData(
        child=ChildData(
            forenames=child.forenames,
            surname=child.surname,
            date_of_birth=child.date_of_birth,
            sex=child.sex,
        ),
        primary_reason=reason,
        referral_source=ReferralSource.EHE_TEAM,
        referral_date=on,
        referrer=f"Elective home education team ({record.reference})",
    )
    # The cases services open a case for the CME team; an EHE officer is not on it, so the case
    # opens as an arrival named by the record (cases/services/referral.py, `on_arrival`), and
    # the officer's own timeline line below says who judged it and why.
    team_member = by if can_work_cases(by) else None
    try:
        result = referral_record(
            data=data,
            by=team_member,
            existing_child=child,
            on_arrival="" if team_member else record.reference,
        )
    except CaseError as error:
        raise EheError(str(error)) from error
    return result.case


def ehe_reviews_report_overdue(*, today: date | None = None) -> int:
    """The daily job: tell the EHE team, once for each due date, of open records whose review
    is overdue. A count and a link to sign in, never a child's details. Returns how many."""
    today = today or timezone.localdate()
    due = EheRecord.objects.filter(end_date__isnull=True, next_review_due__lt=today).exclude(
        overdue_reported_for=F("next_review_due")
    )
    candidates = list(due.values_list("pk", flat=True))
    if not candidates:
        return 0
    with transaction.atomic():
        # The conditional update is the claim: of two runs at once, each record goes to one.
        claimed = (
            EheRecord.objects.filter(pk__in=candidates, next_review_due__lt=today)
            .exclude(overdue_reported_for=F("next_review_due"))
            .update(overdue_reported_for=F("next_review_due"))
        )
        if claimed:
            team = list(
                User.objects.filter(role=User.Role.EHE_OFFICER, is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
            email_queue(
                to=team,
                subject="cmetrack: overdue home-education reviews",
                body=(
                    f"{claimed} home-education review(s) became overdue.\n"
                    f"Sign in to see them: {settings.CMETRACK_BASE_URL}{reverse('ehe:register')}"
                    "?review=overdue\n"
                ),
                kind="overdue-ehe-reviews",
            )
    return claimed
