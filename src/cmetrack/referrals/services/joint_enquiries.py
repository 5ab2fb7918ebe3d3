"""Grounds (h) and (i): a pupil comes off roll only after the school and the LA have both made
reasonable enquiries, and only once the waiting period has passed (DOMAIN.md §4; regulation
9(1)(h)-(i)). The school's notice therefore opens an *at risk* case at once, so the team's
checklist, tasks and clock start the day it arrives; the earliest lawful removal is worked out
from the school-day calendar; a manager agrees the removal date, which the school sees; and a
removal made before that agreement is recorded, flagged and escalated to the managers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.access import is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import Category
from cmetrack.cases.services import (
    CaseError,
    case_add_note,
    case_change_category,
    referral_record,
    timescales,
)
from cmetrack.core.deadlines import earliest_removal_date
from cmetrack.core.school_calendar import NoTermDatesError, SchoolCalendar
from cmetrack.notifications.services import email_queue
from cmetrack.schooldays.selectors import school_calendar

from ..models import DeletionReturn, SharedStatus, TriageState
from .common import find_open_case, record_received
from .errors import IntakeError
from .triage import open_or_link, referral_data_for, require_triage, triage_write

logger = logging.getLogger(__name__)

REMOVED_EARLY = "Removed from roll before joint enquiries were complete"


def joint_enquiry_facts(
    ret: DeletionReturn, *, absence_from: date | None, calendar: SchoolCalendar | None
) -> None:
    """Set the earliest lawful removal and the flags on an unsaved (h)/(i) return."""
    ret.absence_from = absence_from
    today = timezone.localdate()
    warnings: list[list[str]] = list(ret.intake_warnings)
    if absence_from is not None:
        try:
            calendar = calendar or school_calendar(school=ret.school)
            ret.earliest_removal = earliest_removal_date(
                ret.ground, absence_from, calendar, timescales()
            )
        except NoTermDatesError as error:
            warnings.append(["absence_from", f"Earliest lawful removal not worked out: {error}"])
    if ret.earliest_removal and ret.deletion_date < ret.earliest_removal:
        warnings.append(
            [
                "deletion_date",
                f"The removal date is before the earliest lawful removal under ground "
                f"({ret.ground}), {ret.earliest_removal:%d/%m/%Y}",
            ]
        )
    if ret.deletion_date <= today:
        # The LA has agreed nothing yet: a removal already made came before the agreement.
        ret.removed_before_agreement = True
        warnings.append(["deletion_date", REMOVED_EARLY])
    ret.intake_warnings = warnings


def joint_enquiries_begin(returns: Iterable[DeletionReturn]) -> None:
    """After saving: open (or join) an at-risk case for each (h)/(i) notice, and escalate a
    removal made before the LA agreed it. Inside the caller's transaction."""
    for ret in returns:
        if not ret.ground_info.needs_joint_enquiries or ret.case_id is not None:
            continue
        case = find_open_case(ret)
        if case is not None:
            record_received(case=case, submission=ret, by=None)
        else:
            data = referral_data_for(
                ret,
                primary_reason=None,
                forenames=ret.forenames,
                surname=ret.surname,
                date_of_birth=ret.date_of_birth,
            )
            try:
                case = referral_record(data=data, by=None, on_arrival=ret.reference).case
            except CaseError as error:  # e.g. no name: the notice stays in the queue
                logger.warning("No at-risk case opened for %s: %s", ret.reference, error)
                continue
        with acting_as(None):
            ret.case = case
            ret.save(update_fields=["case"])
        if ret.removed_before_agreement:
            # In this transaction: the outbox sends it once the notice is committed.
            _tell_managers(ret)


def _tell_managers(ret: DeletionReturn) -> None:
    managers = User.objects.filter(
        is_active=True, role__in=[User.Role.CME_MANAGER, User.Role.ADMIN]
    ).exclude(email="")
    addresses = sorted({m.email for m in managers})
    # A reference and a link only: no child's details leave the system by email.
    email_queue(
        to=addresses,
        subject=f"cmetrack: {ret.reference} removed before joint enquiries were complete",
        body=(
            f"A school removed a pupil under ground ({ret.ground}) before the local "
            "authority agreed that joint enquiries were exhausted.\n"
            f"Reference: {ret.reference}\n"
            f"Sign in to review it: {settings.CMETRACK_BASE_URL}"
            f"{reverse('referrals:triage', args=[ret.public_id])}\n"
        ),
        kind="joint-enquiries",
        reference=ret.reference,
    )


@transaction.atomic
def deletion_confirm_enquiries(
    *,
    deletion: DeletionReturn,
    by: User,
    note: str,
    removal_agreed_on: date | None = None,
    open_case: bool = True,
) -> DeletionReturn:
    """Grounds (h) and (i): a manager records that joint enquiries are exhausted (who, when,
    what) and the removal date the LA agrees, no earlier than the earliest lawful removal. The
    school sees the agreement on its submission; the child's case records it."""
    require_triage(by)
    if not is_manager(by):
        raise IntakeError("Only a CME manager can agree that joint enquiries are exhausted.")
    deletion = DeletionReturn.objects.select_for_update().get(pk=deletion.pk)
    if not deletion.ground_info.needs_joint_enquiries:
        raise IntakeError(f"Ground ({deletion.ground}) does not need the LA's confirmation.")
    if deletion.la_confirmed_at is not None:
        raise IntakeError("The LA has already confirmed joint enquiries for this return.")
    if not note.strip():
        raise IntakeError("Say which enquiries the LA made and their outcome", "note")
    agreed = removal_agreed_on or max(
        deletion.earliest_removal or deletion.deletion_date, timezone.localdate()
    )
    if deletion.earliest_removal and agreed < deletion.earliest_removal:
        raise IntakeError(
            f"The removal cannot be agreed before the earliest lawful date, "
            f"{deletion.earliest_removal:%d/%m/%Y}",
            "removal_agreed_on",
        )
    now = timezone.now()
    with acting_as(by):
        deletion.la_confirmed_by = by
        deletion.la_confirmed_at = now
        deletion.la_confirmation_note = note.strip()
        deletion.removal_agreed_on = agreed
        deletion.removal_agreed_by = by
        deletion.removal_agreed_at = now
        deletion.shared_status = SharedStatus.REMOVAL_AGREED
        deletion.shared_status_at = now
        deletion.save(
            update_fields=[
                "la_confirmed_by",
                "la_confirmed_at",
                "la_confirmation_note",
                "removal_agreed_on",
                "removal_agreed_by",
                "removal_agreed_at",
                "shared_status",
                "shared_status_at",
            ]
        )
    text = (
        f"Joint enquiries exhausted ({deletion.reference}); removal from roll agreed on "
        f"{agreed:%d/%m/%Y}. {note.strip()}"
    )
    if deletion.case is not None and deletion.case.is_open:
        case_add_note(case=deletion.case, text=text, by=by)
        if deletion.case.category == Category.AT_RISK:
            # Off roll from the agreed date, whereabouts unknown: missing education.
            case_change_category(
                case=deletion.case,
                category=Category.CME,
                reason_text=f"Removal from roll agreed on {agreed:%d/%m/%Y} ({deletion.reference})",
                by=by,
            )
    elif open_case and deletion.triage_state == TriageState.NEW:
        open_or_link(deletion, by=by)
    if deletion.triage_state == TriageState.NEW and deletion.case is not None:
        triage_write(
            deletion,
            state=TriageState.LINKED,
            shared=SharedStatus.REMOVAL_AGREED,
            by=by,
            case=deletion.case,
            note=text,
        )
    deletion.refresh_from_db()
    return deletion
