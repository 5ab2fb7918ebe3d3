"""New-pupil returns: a school enters a pupil on its admission register (regulation 13(1))."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.core.grounds import Route

from ..checks import Verdict, new_pupil_check
from ..models import Kind, NewPupilReturn, Submission
from ..particulars import NewPupilData
from .common import fill_child, require_school_return_sender, save_return, stamp
from .destinations import destinations_confirm_by_new_pupils
from .errors import refuse_if_errors
from .kinds import CaseStart, KindRules, register, school_source

if TYPE_CHECKING:
    from ..models import ImportBatch


def new_pupil_return_check(*, data: NewPupilData, by: User) -> Verdict:
    """Every refusal of a new-pupil return, without writing; the verdict carries the
    normalised UPN and the warnings to record."""
    require_school_return_sender(by, data.school, "a new-pupil return")
    verdict = new_pupil_check(data, today=timezone.localdate())
    refuse_if_errors(verdict)
    return verdict


@transaction.atomic
def new_pupil_return_submit(
    *, data: NewPupilData, by: User, batch: ImportBatch | None = None
) -> NewPupilReturn:
    ret = save_return(new_pupil_return_build(data=data, by=by, batch=batch), by=by, batch=batch)
    # A deletion return naming this school (or its authority) may be waiting for this pupil.
    destinations_confirm_by_new_pupils(returns=[ret], by=by)
    return ret


def new_pupil_return_build(
    *, data: NewPupilData, by: User, batch: ImportBatch | None = None
) -> NewPupilReturn:
    """The checked, unsaved return (see deletion_return_build)."""
    verdict = new_pupil_return_check(data=data, by=by)
    assert data.school is not None and data.start_date is not None  # the check says so
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
    fill_child(ret, data.child, verdict)
    stamp(ret, by, for_school=data.school)
    return ret


def _details(submission: Submission) -> list[str]:
    assert isinstance(submission, NewPupilReturn)
    return [f"Started at {submission.school} on {submission.start_date:%d/%m/%Y}."]


def _case_start(submission: Submission) -> CaseStart:
    assert isinstance(submission, NewPupilReturn)
    return CaseStart(parent_names=submission.parent_names, parent_phone=submission.parent_phone)


register(Kind.NEW_PUPIL, KindRules(details=_details, source=school_source, case_start=_case_start))
