"""Reads of intake, scoped by the acting user (accounts.access decides who sees what).

The CME team sees everything; a school, agency or other-LA user sees only what their own
organisation sent; anyone else sees nothing. A record outside the user's scope is a 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from cmetrack.accounts.access import AnyUser, is_la_staff, is_other_la_user, is_partner
from cmetrack.cases.models import Case, RiskLevel
from cmetrack.cases.services import timescales
from cmetrack.cases.status import OPEN_STATUSES
from cmetrack.core.deadlines import (
    joint_enquiry_confirmation_due,
    new_pupil_return_due,
    new_pupil_return_required,
)
from cmetrack.core.school_calendar import NoTermDatesError, SchoolCalendar
from cmetrack.core.year_group import academic_year_start, national_curriculum_year
from cmetrack.matching.selectors import Candidate, candidates_for
from cmetrack.schooldays.selectors import school_calendar

from .models import (
    CmeReferral,
    DeletionReturn,
    Direction,
    ImportBatch,
    Kind,
    NewPupilReturn,
    OtherLaNotification,
    Submission,
    TriageState,
)
from .services import find_open_case


def submissions_visible_to(user: AnyUser) -> QuerySet[Submission]:
    if is_la_staff(user):
        return Submission.objects.all()
    if is_partner(user):
        org_id: int = getattr(user, "organisation_id", 0) or 0
        return Submission.objects.filter(organisation_id=org_id)
    return Submission.objects.none()


def submission_get(*, user: AnyUser, public_id: UUID | str) -> Submission:
    """A submission this user may see, or 404 (a refusal would confirm the child exists)."""
    found = (
        submissions_visible_to(user)
        .select_related("school", "organisation", "submitted_by", "case", "triaged_by")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("No such submission.")
    return found


def my_submissions(*, user: AnyUser) -> QuerySet[Submission]:
    """What this user's organisation sent, newest first, with the status the LA shares."""
    if not is_partner(user):
        return Submission.objects.none()
    return submissions_visible_to(user).select_related("school").order_by("-received_at")


@dataclass(frozen=True)
class QueueItem:
    submission: Submission
    days_waiting: int
    deletion_date: date | None
    awaiting_la_confirmation: bool
    # The statutory clock for this item, in words (empty when it has none).
    clock: str = ""
    overdue: bool = False
    # Escalated on arrival, and the risk and flags a referral carries, for the queue to show.
    urgent_reasons: tuple[str, ...] = ()
    risk_label: str = ""
    flags: tuple[str, ...] = ()


def _clock(submission: Submission, calendar: SchoolCalendar, today: date) -> tuple[str, bool]:
    """Grounds (h)/(i): when the LA's joint-enquiry confirmation is due. New-pupil returns:
    whether the school sent it within 5 school days of the start (DOMAIN.md §5)."""
    scale = timescales()
    try:
        deletion = getattr(submission, "deletionreturn", None)
        if deletion is not None and deletion.awaiting_la_confirmation:
            due = joint_enquiry_confirmation_due(
                timezone.localdate(submission.received_at), calendar, scale
            )
            return f"LA confirmation due {due:%-d %b %Y}", today > due
        new_pupil = getattr(submission, "newpupilreturn", None)
        if new_pupil is not None:
            if not _new_pupil_return_required(new_pupil, calendar):
                return "Not required: youngest class on the first day (regulation 13(2))", False
            due = new_pupil_return_due(new_pupil.start_date, scale)
            received = timezone.localdate(submission.received_at)
            if received > due:
                late = (received - due).days
                return f"Sent {late} day{'s' if late != 1 else ''} late (due {due:%-d %b})", False
            return f"On time (due {due:%-d %b})", False
    except NoTermDatesError as error:
        return str(error), False
    return "", False


def _new_pupil_return_required(new_pupil: NewPupilReturn, calendar: SchoolCalendar) -> bool:
    """Regulation 13(2): a Reception (or nursery) pupil entered on the first day of the school
    year needs no return unless the authority asks (CMETRACK_NEW_PUPIL_RETURNS_YOUNGEST_CLASS)."""
    dob = new_pupil.date_of_birth
    start = new_pupil.start_date
    year_begins = date(academic_year_start(start), 8, 31)
    return new_pupil_return_required(
        start_date=start,
        first_day_of_year=calendar.next_school_day(year_begins),
        youngest_class=dob is not None and national_curriculum_year(dob, start) <= 0,
        la_asks=bool(getattr(settings, "CMETRACK_NEW_PUPIL_RETURNS_YOUNGEST_CLASS", False)),
    )


def incoming_waiting(*, user: AnyUser) -> QuerySet[Submission]:
    """Submissions waiting to be triaged, in the queue's order: escalated arrivals first, then
    by risk, then oldest first. Page it, then turn the page into rows with `queue_items`."""
    if not is_la_staff(user):
        return Submission.objects.none()
    # Each kind's own table is read by key for the waiting rows (prefetch), not outer-joined:
    # on a register with tens of thousands of returns PostgreSQL hashes the whole of each kind's
    # table for the join, however short the queue. Only the fields the queue shows and its
    # clocks need are loaded from them (the rest of each row is the submission, loaded once).
    return (
        Submission.objects.filter(triage_state=TriageState.NEW)
        .select_related("school", "organisation")
        .prefetch_related(
            Prefetch(
                "deletionreturn",
                queryset=DeletionReturn.objects.only(
                    "ground", "late_school_days", "deletion_date", "la_confirmed_at"
                ),
            ),
            Prefetch(
                "newpupilreturn",
                queryset=NewPupilReturn.objects.only("start_date", "date_of_birth"),
            ),
            Prefetch("cmereferral", queryset=CmeReferral.objects.only("risk_level")),
            "cmereferral__flags",
        )
        .order_by("queue_priority", "received_at", "id")
    )


def queue_items(submissions: Iterable[Submission]) -> list[QueueItem]:
    """The queue's rows for these waiting submissions (a page of `incoming_waiting`), each
    with its statutory clock."""
    today = timezone.localdate()
    calendar = school_calendar()
    items = []
    for s in submissions:
        clock, overdue = _clock(s, calendar, today)
        deletion: DeletionReturn | None = (
            getattr(s, "deletionreturn", None) if s.kind == Kind.DELETION else None
        )
        items.append(
            QueueItem(
                submission=s,
                days_waiting=(today - timezone.localdate(s.received_at)).days,
                deletion_date=deletion.deletion_date if deletion else None,
                awaiting_la_confirmation=bool(deletion and deletion.awaiting_la_confirmation),
                clock=clock,
                overdue=overdue,
                **_risk(s),
            )
        )
    return items


def incoming_queue(*, user: AnyUser) -> list[QueueItem]:
    """The whole queue as rows (the page shows it a page at a time)."""
    return queue_items(incoming_waiting(user=user))


def _risk(submission: Submission) -> dict[str, Any]:
    referral: CmeReferral | None = (
        getattr(submission, "cmereferral", None) if submission.kind == Kind.REFERRAL else None
    )
    return {
        "urgent_reasons": tuple(submission.urgent_reasons),
        "risk_label": RiskLevel(referral.risk_level).label if referral else "",
        "flags": tuple(f.label for f in referral.flags.all()) if referral else (),
    }


def matching_open_case(*, user: AnyUser, submission: Submission) -> Case | None:
    """The open case of the child this submission describes; the CME team's eyes only."""
    if not is_la_staff(user):
        return None
    return find_open_case(submission)


def case_handovers(*, user: AnyUser, case: Case) -> QuerySet[OtherLaNotification]:
    if not is_la_staff(user):
        return OtherLaNotification.objects.none()
    return OtherLaNotification.objects.filter(
        case=case, direction=Direction.OUTBOUND
    ).prefetch_related("handover_changes")


def handover_get(*, user: AnyUser, public_id: UUID | str) -> OtherLaNotification:
    found = (
        OtherLaNotification.objects.filter(direction=Direction.OUTBOUND, public_id=public_id)
        .select_related("case")
        .first()
    )
    if found is None or not is_la_staff(user):
        raise Http404("No such hand-over.")
    return found


def handovers_addressed_to(user: AnyUser) -> QuerySet[OtherLaNotification]:
    """Outbound hand-overs sent to this other-LA user's authority (matched on its LA number),
    newest first; nothing for anyone else."""
    code = getattr(getattr(user, "organisation", None), "la_code", "") or ""
    if not (is_other_la_user(user) and code):
        return OtherLaNotification.objects.none()
    return (
        OtherLaNotification.objects.filter(direction=Direction.OUTBOUND, other_la_code=code)
        .prefetch_related("handover_changes")
        .order_by("-received_at")
    )


def handover_addressed_get(*, user: AnyUser, public_id: UUID | str) -> OtherLaNotification:
    """A hand-over addressed to this user's authority, or 404 (another authority's is not
    confirmed to exist)."""
    found = handovers_addressed_to(user).filter(public_id=public_id).first()
    if found is None:
        raise Http404("No such hand-over.")
    return found


def import_batches_visible_to(user: AnyUser) -> QuerySet[ImportBatch]:
    if is_la_staff(user):
        return ImportBatch.objects.all()
    if is_partner(user):
        org_id: int = getattr(user, "organisation_id", 0) or 0
        return ImportBatch.objects.filter(organisation_id=org_id)
    return ImportBatch.objects.none()


def import_batch_get(*, user: AnyUser, public_id: UUID | str) -> ImportBatch:
    found = import_batches_visible_to(user).filter(public_id=public_id).first()
    if found is None:
        raise Http404("No such import.")
    return found


@dataclass(frozen=True)
class LikelyCase:
    candidate: Candidate
    case: Case


# A possible match must be at least this likely to be offered for linking at triage.
LIKELY_CASE_THRESHOLD = 0.5


def likely_open_cases(*, user: AnyUser, submission: Submission) -> list[LikelyCase]:
    """Children with an open case who may be the child this submission describes, with the
    reasons (probabilistic matching): spellings, nicknames, swapped or mistyped dates that the
    exact rule misses. For the CME team only."""
    if not is_la_staff(user) or not (submission.surname or submission.upn):
        return []
    found = candidates_for(
        user=user,
        forenames=submission.forenames,
        surname=submission.surname,
        date_of_birth=submission.date_of_birth,
        upn=submission.upn,
        postcode=submission.postcode,
        sex=submission.sex,
        limit=5,
    )
    likely = []
    for candidate in found:
        if candidate.probability < LIKELY_CASE_THRESHOLD:
            continue
        case = candidate.child.cases.filter(status__in=OPEN_STATUSES).first()
        if case is not None:
            likely.append(LikelyCase(candidate, case))
    return likely
