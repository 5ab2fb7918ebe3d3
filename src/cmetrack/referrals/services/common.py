"""What every intake route shares: filling the common record, stamping who sent it, the
acknowledgement email, and the line on the child's open case."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist

from cmetrack.accounts.access import can_submit_school_returns, is_la_staff, is_school_user
from cmetrack.accounts.models import Organisation, User
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case
from cmetrack.cases.services import case_intake_event
from cmetrack.cases.status import OPEN_STATUSES
from cmetrack.children.selectors import child_find_existing
from cmetrack.notifications.services import email_queue
from cmetrack.schools.models import School

from ..checks import Verdict
from ..models import Submission
from ..particulars import ChildParticulars
from .errors import IntakeError
from .kinds import submission_details

if TYPE_CHECKING:
    from ..models import ImportBatch


def fill_child(submission: Submission, child: ChildParticulars, verdict: Verdict) -> None:
    """The child as the sender described them, and what the check flagged about it."""
    submission.forenames = child.forenames.strip()
    submission.surname = child.surname.strip()
    submission.date_of_birth = child.date_of_birth
    submission.sex = child.sex
    submission.upn = verdict.upn
    submission.upn_unverified = verdict.unverified_upn
    submission.address_line_1 = child.address_line_1.strip()
    submission.town = child.town.strip()
    submission.postcode = child.postcode.strip()
    submission.intake_warnings = [[w.field, w.message] for w in verdict.warnings]


def require_school_return_sender(by: User, school: School | None, what: str) -> None:
    """A school return comes from that school's own users, or from the CME team for it."""
    if not can_submit_school_returns(by):
        raise IntakeError(f"Only a school or the CME team can send {what}.")
    if school is None:
        raise IntakeError("Choose the school sending the return", "school")
    if is_school_user(by) and by.organisation and by.organisation.school_id != school.pk:
        raise IntakeError("You can only send returns for your own school.", "school")


def stamp(submission: Submission, by: User | None, *, for_school: School | None = None) -> None:
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


def acknowledge(submission: Submission) -> None:
    """Email the reference, and nothing about the child. Queued in the submission's transaction
    (the outbox's task commits with it, so nothing goes for a submission rolled back), and
    sent and retried by the worker, so a mail outage neither loses it nor fails the submission."""
    address = submission.contact_email
    if not address:
        return
    reference = submission.reference
    email_queue(
        to=[address],
        subject=f"Received: reference {reference}",
        body=acknowledgement_text(reference),
        kind="acknowledgement",
        reference=reference,
    )


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


def touch_open_case(submission: Submission, by: User | None) -> None:
    """A submission about a child with an open case writes its line there now, not at triage."""
    case = find_open_case(submission)
    if case is not None:
        record_received(case=case, submission=submission, by=by)


def received_and_acknowledged(submission: Submission, by: User | None) -> None:
    touch_open_case(submission, by)
    acknowledge(submission)


R = TypeVar("R", bound=Submission)


def save_return(ret: R, *, by: User, batch: ImportBatch | None) -> R:
    """Save one school return; a single return (not part of an import) is also written on the
    child's open case and acknowledged at once. Imports do both for the whole file."""
    with acting_as(by):
        ret.save()
    if batch is None:
        received_and_acknowledged(ret, by)
    return ret
