"""Notifications from other local authorities: a child moved (or may have moved) into this
area, or an enquiry about their missing pupil (DOMAIN.md §6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_notify_as_other_la, is_other_la_user
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import ReferralSource
from cmetrack.core.grounds import Route

from ..checks import Verdict
from ..checks.child import check_child
from ..models import Direction, Kind, Nature, OtherLaNotification, Submission
from ..particulars import ChildParticulars
from .common import fill_child, received_and_acknowledged, stamp
from .errors import IntakeError, refuse_if_errors
from .kinds import CaseStart, KindRules, register


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


def other_la_check(data: OtherLaData, *, today: date, la_name: str) -> Verdict:
    verdict = Verdict()
    if data.nature not in {Nature.MOVED_IN, Nature.ENQUIRY}:
        verdict.error("nature", "Choose what the notification is about")
    check_child(data.child, verdict, today=today, need_dob=False)
    if not la_name:
        verdict.error("other_la_name", "Enter the authority sending the notification")
    return verdict


@transaction.atomic
def other_la_notification_submit(*, data: OtherLaData, by: User) -> OtherLaNotification:
    if not can_notify_as_other_la(by):
        raise IntakeError("Only another authority (or the CME team for it) can send this.")
    la_name = data.other_la_name.strip()
    la_code = data.other_la_code.strip()
    if is_other_la_user(by) and by.organisation:
        la_name, la_code = by.organisation.name, by.organisation.la_code
    verdict = other_la_check(data, today=timezone.localdate(), la_name=la_name)
    refuse_if_errors(verdict)
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
    fill_child(note, data.child, verdict)
    stamp(note, by)
    if data.officer_email.strip() and not note.contact_email:
        note.contact_email = data.officer_email.strip()
    with acting_as(by):
        note.save()
    received_and_acknowledged(note, by)
    return note


def _details(submission: Submission) -> list[str]:
    assert isinstance(submission, OtherLaNotification)
    lines = [f"From {submission.other_la_name}: {submission.get_nature_display()}."]
    if submission.concerns:
        lines.append(f"Concerns: {submission.concerns}")
    return lines


def _case_start(submission: Submission) -> CaseStart:
    assert isinstance(submission, OtherLaNotification)
    moved_in = submission.nature == Nature.MOVED_IN
    return CaseStart(reason_code="no-place-after-move" if moved_in else "whereabouts-unknown")


register(
    Kind.OTHER_LA,
    KindRules(details=_details, source=lambda _s: ReferralSource.OTHER_LA, case_start=_case_start),
)
