"""Destinations awaiting confirmation: a deletion return that names where the pupil went.

A ground (a) return, or a (g) or (n) return naming a new school, is recorded only (no CME case),
but nobody has yet confirmed the pupil is on that school's roll. At triage it becomes
"awaiting confirmation" (`SharedStatus.AWAITING_DESTINATION`) until `destination_due`: the
`Timescales.destination_confirmation` school days after the expected start (the new school's
start date, else the removal date) on the authority's calendar. It is cleared by

- a new-pupil return for the same child (same UPN, or the matching scorer's "likely" verdict)
  from the named school; from another school in the named school's authority, or when the
  return named the new school only by name, the match must be strong (`_threshold`);
- the CME team recording the receiving authority's or school's confirmation
  (`destination_confirm`: who, and how).

Either makes it "Closed: on roll elsewhere". When the due date passes unconfirmed the daily job
(`destinations_lapse`, registered in `referrals.apps`) opens (or links to) the child's CME case,
in the name of the officer who triaged the return (else an active CME manager), with a timeline
note saying why, and makes the case's tasks at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, MissingReason
from cmetrack.cases.services import (
    CaseError,
    case_add_note,
    event_write,
    tasks_sync,
    timescales,
)
from cmetrack.cases.status import OPEN_STATUSES
from cmetrack.core.deadlines import destination_confirmation_due
from cmetrack.core.school_calendar import NoTermDatesError
from cmetrack.core.upn import normalise_upn
from cmetrack.matching.names import normalise_name
from cmetrack.matching.scoring import PersonRecord, score
from cmetrack.schooldays.selectors import school_calendar

from ..models import DeletionReturn, NewPupilReturn, SharedStatus, Submission, TriageState
from .common import find_open_case
from .errors import IntakeError
from .triage import open_or_link, require_triage

logger = logging.getLogger(__name__)

# Matching names no threshold of its own: its pages and its benchmark call a candidate of 50% or
# more "likely the same child" (the benchmark's decision threshold, docs/matching.md) and mark
# 90% or more in red. A return from the named school must be likely; anywhere else, strong.
LIKELY = 0.5
STRONG = 0.9
# When no term dates cover the expected start, the due date is this many calendar days after it
# (and the triage note says so).
FALLBACK_CALENDAR_DAYS = 14
# A new-pupil return for a start this long before the removal (or the expected start) is an
# earlier spell at that school, not this move.
EARLIEST_START = timedelta(days=31)


def awaits_destination(deletion: DeletionReturn) -> bool:
    """Grounds (a), (g), (n) naming a new school: recorded, then waiting for confirmation."""
    g = deletion.ground_info
    return deletion.has_new_school and (g.needs_new_school or g.destination_closes)


def destination_due_for(deletion: DeletionReturn) -> tuple[date, str]:
    """The last day the destination may be confirmed, and a caveat when no term dates cover
    it (then FALLBACK_CALENDAR_DAYS calendar days: said, not hidden)."""
    expected = deletion.new_school_start or deletion.deletion_date
    try:
        return destination_confirmation_due(expected, school_calendar(), timescales()), ""
    except NoTermDatesError as error:
        return (
            expected + timedelta(days=FALLBACK_CALENDAR_DAYS),
            f"{error}: {FALLBACK_CALENDAR_DAYS} calendar days used instead of "
            f"{timescales().destination_confirmation} school days",
        )


def awaiting_destinations() -> QuerySet[DeletionReturn]:
    """The removals whose named new school has not confirmed the pupil yet (nor lapsed)."""
    return DeletionReturn.objects.filter(
        shared_status=SharedStatus.AWAITING_DESTINATION,
        destination_due__isnull=False,
        destination_confirmed_at__isnull=True,
        destination_lapsed_at__isnull=True,
    )


def _open_case_of(deletion: DeletionReturn) -> Case | None:
    if deletion.case is not None and deletion.case.is_open:
        return deletion.case
    return find_open_case(deletion)


def _note(case: Case, text: str, by: User | None) -> None:
    """A line on the case: in the officer's name, or the system's when a partner's return
    caused it (partners write nothing on a case but their own return's line)."""
    if by is not None and is_la_staff(by):
        case_add_note(case=case, text=text, by=by)
        return
    with acting_as(by):
        event_write(case, EventKind.NOTE_ADDED, None, text=text)


# --- triage ----------------------------------------------------------------------------------


def destination_await(
    *, deletion: DeletionReturn, by: User, case: Case | None = None
) -> DeletionReturn:
    """Triage of a record-only deletion return naming a new school (inside
    `submission_apply_route`'s transaction, the submission locked): recorded and awaiting
    confirmation until the due date, or confirmed at once by a new-pupil return that came first."""
    require_triage(by)
    due, caveat = destination_due_for(deletion)
    now = timezone.now()
    deletion.triage_state = TriageState.TRIAGED
    deletion.triaged_by = by
    deletion.triaged_at = now
    deletion.shared_status = SharedStatus.AWAITING_DESTINATION
    deletion.shared_status_at = now
    deletion.destination_due = due
    deletion.triage_note = (
        f"Recorded; the new school is to be confirmed by {due:%d/%m/%Y}"
        + (f" ({caveat})" if caveat else "")
        + "."
    )
    if case is not None:
        deletion.case = case
    with acting_as(by):
        deletion.save(
            update_fields=[
                "triage_state",
                "triaged_by",
                "triaged_at",
                "shared_status",
                "shared_status_at",
                "destination_due",
                "triage_note",
                "case",
            ]
        )
    earlier = _earlier_new_pupil_return(deletion)
    if earlier is not None:
        _mark_confirmed(deletion, how=_how(earlier), by=by)
    return deletion


def _earlier_new_pupil_return(deletion: DeletionReturn) -> NewPupilReturn | None:
    """A new-pupil return already received that confirms this destination."""
    blocks = Q(date_of_birth__in=_birth_dates(deletion.date_of_birth))
    if deletion.upn:
        blocks |= Q(upn=deletion.upn)
    if deletion.surname.strip():
        blocks |= Q(surname__iexact=deletion.surname.strip())
    found = (
        NewPupilReturn.objects.filter(blocks, start_date__gte=_earliest_start(deletion))
        .select_related("school")
        .order_by("received_at", "id")
    )
    return next((np for np in found if _confirms(deletion, np)), None)


# --- matching a new-pupil return to an awaiting destination -----------------------------------


def _birth_dates(dob: date | None) -> list[date]:
    """The date and its day/month transposition (a common typing error the scorer forgives)."""
    if dob is None:
        return []
    dates = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        dates.append(dob.replace(month=dob.day, day=dob.month))
    return dates


def _earliest_start(deletion: DeletionReturn) -> date:
    expected = deletion.new_school_start or deletion.deletion_date
    return min(expected, deletion.deletion_date) - EARLIEST_START


def submission_record(submission: Submission) -> PersonRecord:
    """The child as a submission describes them, as the scorer compares them."""
    return PersonRecord(
        forenames=submission.forenames,
        surname=submission.surname,
        date_of_birth=submission.date_of_birth,
        sex=submission.sex,
        upn=submission.upn,
        postcode=submission.postcode,
    )


def _threshold(deletion: DeletionReturn, new_pupil: NewPupilReturn) -> float | None:
    """How sure the match must be for this new-pupil return to confirm this destination; None
    when its school cannot be the destination."""
    if new_pupil.school_id is None or new_pupil.school_id == deletion.school_id:
        return None  # back at the school that removed them is not "on roll elsewhere"
    if deletion.new_school_id is not None:
        if new_pupil.school_id == deletion.new_school_id:
            return LIKELY
        named = deletion.new_school
        school = new_pupil.school
        if (
            named is not None
            and school is not None
            and named.la_code
            and (school.la_code == named.la_code)
        ):
            return STRONG  # another school in the named school's authority
        return None
    if deletion.new_school_name.strip():
        return STRONG  # named only in words: any school, if the child is plainly the same
    return None


def _confirms(deletion: DeletionReturn, new_pupil: NewPupilReturn) -> bool:
    if new_pupil.start_date < _earliest_start(deletion):
        return False
    needed = _threshold(deletion, new_pupil)
    if needed is None:
        return False
    if deletion.upn and deletion.upn == new_pupil.upn:
        return True  # the same UPN is decisive
    return score(submission_record(deletion), submission_record(new_pupil)).probability >= needed


def _how(new_pupil: NewPupilReturn) -> str:
    school = new_pupil.school.name if new_pupil.school else "a school"
    return f"New-pupil return {new_pupil.reference} from {school}"


class _Index:
    """Awaiting deletion returns by UPN, date of birth and surname: the candidates a new-pupil
    return is scored against (the scorer never sees the whole list)."""

    def __init__(self, deletions: Iterable[DeletionReturn]) -> None:
        self.by_upn: dict[str, list[DeletionReturn]] = defaultdict(list)
        self.by_dob: dict[date, list[DeletionReturn]] = defaultdict(list)
        self.by_surname: dict[str, list[DeletionReturn]] = defaultdict(list)
        for d in deletions:
            if d.upn:
                self.by_upn[d.upn].append(d)
            for dob in _birth_dates(d.date_of_birth):
                self.by_dob[dob].append(d)
            if key := normalise_name(d.surname):
                self.by_surname[key].append(d)

    def candidates(self, new_pupil: NewPupilReturn) -> list[DeletionReturn]:
        found: dict[int, DeletionReturn] = {}
        upn = normalise_upn(new_pupil.upn) if new_pupil.upn else ""
        groups = [
            self.by_upn.get(upn, []),
            self.by_dob.get(new_pupil.date_of_birth, []) if new_pupil.date_of_birth else [],
            self.by_surname.get(normalise_name(new_pupil.surname), []),
        ]
        for group in groups:
            for d in group:
                found.setdefault(d.pk, d)
        return sorted(found.values(), key=lambda d: (d.destination_due or date.max, d.pk))


def _awaiting_for(returns: Sequence[NewPupilReturn]) -> list[DeletionReturn]:
    """The awaiting returns that could match: for one return, those sharing its UPN, birth
    date or surname (one query); for a file, every awaiting return (one query: they are few,
    as each lapses within weeks)."""
    query = awaiting_destinations().select_related("new_school", "case")
    if len(returns) == 1:
        [np] = returns
        blocks = Q(surname__iexact=np.surname.strip()) if np.surname.strip() else Q(pk__in=[])
        if np.upn:
            blocks |= Q(upn=np.upn)
        if np.date_of_birth:
            blocks |= Q(date_of_birth__in=_birth_dates(np.date_of_birth))
        query = query.filter(blocks)
    return list(query.order_by("destination_due", "pk"))


@transaction.atomic
def destinations_confirm_by_new_pupils(
    *, returns: Sequence[NewPupilReturn], by: User | None
) -> list[DeletionReturn]:
    """A new-pupil return (one, or a committed file's) confirms each awaiting destination it
    matches. Called by `new_pupil_return_submit` and the bulk import after the returns are
    saved; writes in the sender's name (auditlog) and nothing the sender sees: a partner never
    learns which children the authority knows. Returns the deletion returns confirmed."""
    returns = [r for r in returns if r.school_id is not None]
    if not returns:
        return []
    awaiting = _awaiting_for(returns)
    if not awaiting:
        return []
    index = _Index(awaiting)
    matched: dict[int, NewPupilReturn] = {}
    for np in returns:
        for deletion in index.candidates(np):
            if deletion.pk not in matched and _confirms(deletion, np):
                matched[deletion.pk] = np
    confirmed = []
    for pk, np in matched.items():
        # Re-read under a lock: the lapse job or an officer may have got there first.
        # No select_related: PostgreSQL cannot lock the nullable side of an outer join.
        locked = awaiting_destinations().select_for_update().filter(pk=pk).first()
        if locked is not None:
            _mark_confirmed(locked, how=_how(np), by=by)
            confirmed.append(locked)
    return confirmed


def _mark_confirmed(deletion: DeletionReturn, *, how: str, by: User | None) -> None:
    now = timezone.now()
    deletion.destination_confirmed_at = now
    deletion.destination_confirmation = how
    deletion.shared_status = SharedStatus.CLOSED_ON_ROLL_ELSEWHERE
    deletion.shared_status_at = now
    with acting_as(by):
        deletion.save(
            update_fields=[
                "destination_confirmed_at",
                "destination_confirmation",
                "shared_status",
                "shared_status_at",
            ]
        )
    case = _open_case_of(deletion)
    if case is not None:
        _note(
            case,
            f"The new school named on deletion return {deletion.reference} is confirmed: {how}.",
            by,
        )


# --- the CME team records the receiving authority's (or school's) confirmation ----------------


@transaction.atomic
def destination_confirm(*, deletion: DeletionReturn, by: User, how: str) -> DeletionReturn:
    """The CME team records that the receiving authority or school confirmed the pupil is on
    roll there: who confirmed and how ("Wirral CME officer confirmed by phone")."""
    require_triage(by)
    how = " ".join(how.split())
    if not how:
        raise IntakeError("Say who confirmed the pupil is on roll, and how", "how")
    deletion = DeletionReturn.objects.select_for_update().get(pk=deletion.pk)
    if deletion.destination_confirmed_at is not None:
        raise IntakeError(
            f"The destination was already confirmed: {deletion.destination_confirmation}."
        )
    if deletion.destination_lapsed_at is not None:
        reference = deletion.case.reference if deletion.case else "a case"
        lapsed = timezone.localtime(deletion.destination_lapsed_at)
        raise IntakeError(
            f"The confirmation lapsed on {lapsed:%d/%m/%Y} and {reference} is open: record it "
            "and close the case there."
        )
    if deletion.shared_status != SharedStatus.AWAITING_DESTINATION:
        raise IntakeError("This return is not waiting for its destination to be confirmed.")
    _mark_confirmed(deletion, how=f"{how} (recorded by {by})", by=by)
    return deletion


# --- the daily job: unconfirmed destinations lapse into CME cases ------------------------------


def _actor(deletion: DeletionReturn) -> tuple[User | None, str]:
    """Who opens the case: the officer who triaged the return, else an active CME manager."""
    triager = deletion.triaged_by
    if triager is not None and is_la_staff(triager):
        return triager, ""
    manager = User.objects.filter(role=User.Role.CME_MANAGER, is_active=True).order_by("pk").first()
    if manager is None:
        return None, ""
    who = str(triager) if triager else "the officer who triaged it"
    return manager, f" Opened in {manager}'s name: {who} is no longer in the CME team."


def _reason(deletion: DeletionReturn) -> MissingReason | None:
    code = deletion.ground_info.reason_code
    if code == "other":
        code = "whereabouts-unknown"  # (a), (n): the pupil is not known to be anywhere
    return MissingReason.objects.filter(code=code).first()


def _lapse_one(pk: int, today: date) -> Case | None:
    """Lapse one awaiting return into a case; None when another run (or a confirmation) got
    there first. One transaction, the row locked and re-checked."""
    with transaction.atomic():
        deletion = (
            awaiting_destinations()
            .select_for_update()
            .filter(pk=pk, destination_due__lt=today)
            .first()
        )
        if deletion is None:
            return None
        actor, aside = _actor(deletion)
        if actor is None:
            raise IntakeError("No active CME manager to open the case in the name of.")
        due = deletion.destination_due
        assert due is not None  # awaiting_destinations() says so
        case = open_or_link(deletion, by=actor, primary_reason=_reason(deletion))
        deletion.destination_lapsed_at = timezone.now()
        deletion.triage_note = (
            f"The new school was not confirmed by {due:%d/%m/%Y}: {deletion.triage_note}"
        )
        with acting_as(actor):
            deletion.save(update_fields=["destination_lapsed_at", "triage_note"])
        school = deletion.new_school or deletion.new_school_name
        start = deletion.new_school_start or deletion.deletion_date
        case_add_note(
            case=case,
            text=(
                f"CME enquiry because deletion return {deletion.reference} named {school} as the "
                f"new school (expected from {start:%d/%m/%Y}) and nobody confirmed the pupil is on "
                f"roll there by {due:%d/%m/%Y}: no matching new-pupil return and no confirmation "
                f"from the receiving authority or school.{aside}"
            ),
            by=actor,
        )
    return case


def destinations_lapse(*, today: date | None = None) -> tuple[list[Case], list[str]]:
    """Every awaiting destination past its due date opens (or joins) the child's CME case, and
    that case's tasks are made now (the tick's own task sync ran before this job). Idempotent,
    and safe if two runs overlap: each return is claimed under a row lock. Returns the cases
    and the problems (one return's failure does not stop the others)."""
    today = today or timezone.localdate()
    due = list(
        awaiting_destinations()
        .filter(destination_due__lt=today)
        .order_by("destination_due", "pk")
        .values_list("pk", flat=True)
    )
    cases: list[Case] = []
    problems: list[str] = []
    for pk in due:
        try:
            case = _lapse_one(pk, today)
        except (IntakeError, CaseError) as error:
            reference = Submission.objects.filter(pk=pk).values_list("reference", flat=True).first()
            problems.append(f"{reference}: {error}")
            logger.warning("Destination of %s not lapsed: %s", reference, error)
            continue
        if case is not None:
            cases.append(case)
    if cases:
        ids = sorted({c.pk for c in cases})
        tasks_sync(
            cases=Case.objects.filter(pk__in=ids, status__in=OPEN_STATUSES),
            calendar=school_calendar(),
        )
    return cases, problems


def destinations_lapse_job() -> str:
    """For `cmetrack tick` (registered in referrals.apps)."""
    cases, problems = destinations_lapse()
    said = (
        f"{len(cases)} destination(s) not confirmed in time: CME case(s) opened or linked"
        + (f" ({', '.join(sorted(c.reference for c in cases))})" if cases else "")
        + "."
    )
    if problems:
        said += f" Not lapsed: {'; '.join(problems)}."
    return said
