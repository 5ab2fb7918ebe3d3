"""Writing every stored row (or every valid one) in one transaction, in the request or in a
background task."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.bulk import bulk_insert_with_audit
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.services import case_intake_event
from cmetrack.core.school_calendar import SchoolCalendar
from cmetrack.schooldays.selectors import school_calendar
from cmetrack.schools.models import School

from ..importing.rows import ReturnRow
from ..known import children_known, open_cases_of
from ..models import DeletionReturn, ImportBatch, NewPupilReturn, Submission, new_reference
from ..services import (
    DeletionData,
    IntakeError,
    deletion_return_build,
    destinations_confirm_by_new_pupils,
    new_pupil_return_build,
    submission_details,
)
from ..services.joint_enquiries import joint_enquiries_begin
from .common import (
    DEFAULT_MAX_BYTES,
    ImportRefused,
    ImportState,
    Progress,
    _child_key,
    _data,
    _schools,
    logger,
)
from .stored import _has_stored_rows, stored_rows
from .upload import _ProgressSaver


def commit_refusal(*, batch: ImportBatch, valid_only: bool, by: User) -> str:
    """Why this batch cannot be committed now ("" if it can), from what the check stored."""
    summary = batch.summary
    if batch.committed:
        return "This file has already been imported."
    if batch.uploaded_by_id != by.pk and not is_la_staff(by):
        return "Only the person who uploaded the file can import it."
    if batch.state == ImportState.UNREADABLE or "unreadable" in summary:
        return str(summary.get("unreadable", "The file cannot be read."))
    if batch.state in (ImportState.QUEUED, ImportState.CHECKING):
        return "The file is still being checked: wait for the check to finish."
    if batch.state == ImportState.FAILED:
        return "The check of this file did not finish. Upload the file again."
    if summary.get("errors") and not valid_only:
        return (
            f"The file has {len(summary['errors'])} error(s): nothing was imported. Correct the "
            "file, or choose to import the valid rows only."
        )
    if not summary.get("valid"):
        return "There are no valid rows to import."
    return ""


def import_commit_request(*, batch: ImportBatch, valid_only: bool, by: User) -> ImportBatch:
    """The commit button: a file of up to CMETRACK_IMPORT_BACKGROUND_ROWS valid rows is written
    now; a larger one is handed to a task (state committing) and its page shows the progress."""
    refusal = commit_refusal(batch=batch, valid_only=valid_only, by=by)
    if refusal:
        raise ImportRefused(refusal)
    valid = int(batch.summary.get("valid", 0))
    if valid <= settings.CMETRACK_IMPORT_BACKGROUND_ROWS:
        return import_commit(batch=batch, valid_only=valid_only, by=by)
    summary = {k: v for k, v in batch.summary.items() if k != "commit_refused"}
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, state=ImportState.CHECKED, committed=False
    ).update(state=ImportState.COMMITTING, progress_done=0, progress_total=valid, summary=summary)
    if not claimed:
        raise ImportRefused("This file is already being imported.")
    from ..tasks import commit_import  # the tasks module imports this one

    commit_import.enqueue(batch.pk, by.pk, valid_only)
    return ImportBatch.objects.defer("preview").get(pk=batch.pk)


def run_queued_commit(*, batch_id: int, user_id: int, valid_only: bool) -> None:
    """The background commit (`tasks.commit_import`). Safe to run again (a committed batch is
    left alone) and twice at once (import_commit locks the batch; the second finds it done). A
    refusal (the database changed since the check) goes back on the page."""
    batch = ImportBatch.objects.defer("preview").filter(pk=batch_id).first()
    if batch is None or batch.committed or batch.state != ImportState.COMMITTING:
        return
    by = User.objects.get(pk=user_id)
    saver = _ProgressSaver(batch_id, ImportState.COMMITTING, batch.progress_total)
    try:
        import_commit(batch=batch, valid_only=valid_only, by=by, progress=saver)
    except Exception as error:
        current = ImportBatch.objects.defer("preview").get(pk=batch_id)
        if current.committed:
            return  # another run committed it first
        if isinstance(error, ImportRefused):
            message = str(error)
        else:
            logger.exception("Committing import %s failed", batch.public_id)
            message = "The import stopped on an unexpected error: nothing was imported."
        ImportBatch.objects.filter(pk=batch_id, state=ImportState.COMMITTING).update(
            state=ImportState.CHECKED, summary={**current.summary, "commit_refused": message}
        )
        if not isinstance(error, ImportRefused):
            raise


def import_commit(
    *,
    batch: ImportBatch,
    valid_only: bool,
    by: User,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportBatch:
    """Write every row (or, when chosen, every valid row) in one transaction. A file with any
    error commits nothing unless valid_only.

    The stored rows are built and checked again by the route services first (reads only, so
    progress can be shown and SQLite is not locked for it); then, in one transaction with the
    batch locked, it is checked not to be committed already and its schools still to exist,
    and everything is written. `max_bytes` is unused (the file is not read again)."""
    batch = ImportBatch.objects.get(pk=batch.pk)  # as stored, with its rows
    refusal = commit_refusal(batch=batch, valid_only=valid_only, by=by)
    if refusal:
        raise ImportRefused(refusal)
    if not _has_stored_rows(batch):
        raise ImportRefused(
            "This file was checked by an earlier version of cmetrack: upload it again to import it."
        )
    rows = stored_rows(batch)
    if not rows:
        raise ImportRefused("There are no valid rows to import.")
    schools = _schools(rows)
    saved: list[tuple[ReturnRow, Submission]] = []
    # Built and checked by the route services row by row, then written in bulk with an audit
    # entry each (see _bulk_insert).
    calendars: dict[str, SchoolCalendar] = {}
    for done, row in enumerate(rows, start=1):
        for urn in (row.school_urn, row.new_school_urn):
            if urn and urn not in schools:  # the register changed since the check
                raise ImportRefused(
                    f"Row {row.row}: no school with URN {urn} any more: nothing was imported. "
                    "Upload the file again."
                )
        data = _data(row, schools)
        try:
            if isinstance(data, DeletionData):
                if row.school_urn not in calendars:
                    calendars[row.school_urn] = school_calendar(school=data.school)
                ret: Submission = deletion_return_build(
                    data=data, by=by, batch=batch, calendar=calendars[row.school_urn]
                )
            else:
                ret = new_pupil_return_build(data=data, by=by, batch=batch)
        except IntakeError as error:  # the database changed since the preview
            raise ImportRefused(f"Row {row.row}: {error}") from error
        saved.append((row, ret))
        if progress is not None and (done % 500 == 0 or done == len(rows)):
            progress(done, len(rows))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().defer("preview").get(pk=batch.pk)
        if locked.committed:
            raise ImportRefused("This file has already been imported.")
        gone = {s.pk for s in schools.values()} - set(
            School.objects.filter(pk__in=[s.pk for s in schools.values()]).values_list(
                "pk", flat=True
            )
        )
        if gone:
            raise ImportRefused(
                "A school in the file has been removed from the register since the check: "
                "nothing was imported. Upload the file again."
            )
        for model in (DeletionReturn, NewPupilReturn):
            _bulk_insert([ret for _, ret in saved if type(ret) is model], by=by)
        _record_on_open_cases(saved, by)
        joint_enquiries_begin(ret for _, ret in saved if isinstance(ret, DeletionReturn))
        destinations_confirm_by_new_pupils(
            returns=[ret for _, ret in saved if isinstance(ret, NewPupilReturn)], by=by
        )
        # The submissions now hold the rows: the stored copy goes (not through the audit log).
        ImportBatch.objects.filter(pk=batch.pk).update(preview={})
        with acting_as(by):
            locked.committed = True
            locked.committed_at = timezone.now()
            locked.state = ImportState.COMMITTED
            locked.progress_done = locked.progress_total = len(rows)
            locked.summary = {
                **{k: v for k, v in locked.summary.items() if k != "commit_refused"},
                "committed": len(rows),
                "valid_only": valid_only,
            }
            locked.save(
                update_fields=[
                    "committed",
                    "committed_at",
                    "state",
                    "progress_done",
                    "progress_total",
                    "summary",
                ]
            )
    return locked


def _record_on_open_cases(saved: list[tuple[ReturnRow, Submission]], by: User) -> None:
    """Each imported return about a child with an open case writes its line on that case now
    (as a single return does when it is sent). The children are looked up now, for the whole
    file in a few queries (the database may have changed since the check)."""
    found = children_known(_child_key(row) for row, _ in saved)
    known = {row.row: found[_child_key(row)] for row, _ in saved if _child_key(row) in found}
    cases = open_cases_of(known.values())
    for row, ret in saved:
        child = known.get(row.row)
        case = cases.get(child.pk) if child is not None else None
        if case is not None:
            case_intake_event(
                case=case,
                kind=EventKind.SUBMISSION_RECEIVED,
                by=by,
                kind_label=ret.get_kind_display(),
                reference=ret.reference,
                text=submission_details(ret),
            )


INSERT_BATCH = 500


def _bulk_insert(returns: list[Submission], *, by: User) -> None:
    """Insert returns of one concrete model (DeletionReturn or NewPupilReturn) in batches, each
    with the audit entry auditlog would have written on save() (see cmetrack.audit.bulk; tests
    compare it with a single return's entry)."""
    for ret in returns:
        if not ret.reference:  # what Submission.save() would have done
            ret.reference = new_reference(ret.kind)
    bulk_insert_with_audit(returns, by=by, batch_size=INSERT_BATCH)
