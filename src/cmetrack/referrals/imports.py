"""Bulk import of deletion and new-pupil returns: upload → preview → commit (two phases).

The parsers (importing/) turn bytes into rows and never touch the database. Here each row is
checked against the database (school URNs, the route services' own refusals), in-file
duplicates are refused, and children the authority already knows are shown as likely duplicates
(to the CME team only: a school must not learn whether a child is known).

The file is parsed once, with no transaction open: the upload keeps the file, parses and checks
it, then stores the result on the batch (`summary`: errors, warnings, likely duplicates, counts,
the first rows to show; `preview`: the rows that passed, for the commit). Preview pages read
that and never parse again. The commit builds and checks every stored row again with the route
services (the database may have changed since), then writes them all in one transaction.
A file of more than `CMETRACK_IMPORT_BACKGROUND_ROWS` rows is checked, and later committed, by a
background task (`tasks.py`, run by `cmetrack db_worker`); the batch's `state` and
`progress_done`/`progress_total` are what its page shows meanwhile.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_submit_school_returns, is_la_staff, is_school_user
from cmetrack.accounts.models import User
from cmetrack.audit.bulk import bulk_insert_with_audit
from cmetrack.audit.context import acting_as
from cmetrack.cases.events import EventKind
from cmetrack.cases.services import case_intake_event
from cmetrack.children.models import Child
from cmetrack.core.school_calendar import SchoolCalendar
from cmetrack.schooldays.selectors import school_calendar
from cmetrack.schools.models import School

from .importing.parse import estimate_rows, parse_return_file
from .importing.rows import ParsedFile, ReturnRow, ReturnType, RowError, UnreadableFile
from .importing.tabular import COLUMN_FOR
from .importing.values import neutralise_formula
from .known import ChildKey, children_known, open_cases_of
from .models import DeletionReturn, ImportBatch, NewPupilReturn, Submission, new_reference
from .services import (
    ChildParticulars,
    DeletionData,
    IntakeError,
    NewPupilData,
    deletion_return_build,
    deletion_return_check,
    destinations_confirm_by_new_pupils,
    new_pupil_return_build,
    new_pupil_return_check,
    submission_details,
)
from .services.joint_enquiries import joint_enquiries_begin

DEFAULT_MAX_BYTES = 20_000_000

Progress = Callable[[int, int], None]

logger = logging.getLogger(__name__)

# The rows shown on the preview page (the rest are counted; errors and warnings are all shown).
SHOWN_ROWS = 200


class ImportState(StrEnum):
    """`ImportBatch.state` (a plain column: a new state needs no migration)."""

    QUEUED = "queued"  # waiting for the background worker to check it
    CHECKING = "checking"
    CHECKED = "checked"  # the result is stored; it may be committed
    UNREADABLE = "unreadable"
    COMMITTING = "committing"  # the background worker is writing it
    COMMITTED = "committed"
    FAILED = "failed"  # the check stopped on an unexpected error


# States in which a task is (or will be) working on the batch: the page refreshes itself.
WORKING = frozenset({ImportState.QUEUED, ImportState.CHECKING, ImportState.COMMITTING})


class ImportRefused(Exception):
    """The import cannot go ahead; the message is shown to the user."""


def neutralise(value: object) -> str:
    """A cell as text a spreadsheet will not run: formulas get a leading apostrophe."""
    return neutralise_formula("" if value is None else str(value))


@dataclass(frozen=True)
class Duplicate:
    row: int
    message: str


@dataclass
class Preview:
    source: str
    rows: tuple[ReturnRow, ...]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    # Row number -> the known child it likely is (the CME team's previews only).
    known: dict[int, Child] = field(default_factory=dict, repr=False)

    @property
    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    def valid_rows(self) -> list[ReturnRow]:
        bad = self.bad_rows
        return [r for r in self.rows if r.row not in bad]

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": len(self.rows),
            "valid": len(self.valid_rows()),
            "bad_rows": len(self.bad_rows),
            "errors": [[e.row, e.field, e.message] for e in self.errors],
            "warnings": [[w.row, w.field, w.message] for w in self.warnings],
            "duplicates": [[d.row, d.message] for d in self.duplicates],
            # What the page lists (as the parser read them; shown neutralised).
            "shown": [
                [
                    r.row,
                    str(r.return_type),
                    r.school_urn,
                    r.forename,
                    r.surname,
                    r.date_of_birth.isoformat() if r.date_of_birth else "",
                    r.upn,
                    r.ground,
                ]
                for r in self.rows[:SHOWN_ROWS]
            ],
        }


# --- the stored rows (ImportBatch.preview) ---------------------------------------------------


def _row_types() -> dict[str, Any]:
    return typing.get_type_hints(ReturnRow)


def _is_date(hint: Any) -> bool:
    return hint is date or date in typing.get_args(hint)


def rows_to_store(rows: Iterable[ReturnRow]) -> dict[str, Any]:
    """Rows as JSON: the field names once, then each row's values in that order."""
    names = [f.name for f in fields(ReturnRow)]
    return {
        "columns": names,
        "rows": [
            [v.isoformat() if isinstance(v, date) else v for v in (getattr(r, n) for n in names)]
            for r in rows
        ],
    }


def stored_rows(batch: ImportBatch) -> list[ReturnRow]:
    """The rows the check passed, as stored at upload. A field added to ReturnRow since takes
    its default; one since removed is dropped."""
    stored = batch.preview or {}
    hints = _row_types()
    columns = [(n, n in hints, _is_date(hints.get(n))) for n in stored.get("columns", [])]
    rows: list[ReturnRow] = []
    for values in stored.get("rows", []):
        kwargs: dict[str, Any] = {}
        for (name, known, is_date), value in zip(columns, values, strict=True):
            if known:
                kwargs[name] = date.fromisoformat(value) if is_date and value else value
        kwargs["return_type"] = ReturnType(kwargs["return_type"])
        rows.append(ReturnRow(**kwargs))
    return rows


def _has_stored_rows(batch: ImportBatch) -> bool:
    return "columns" in (batch.preview or {})


def _child(row: ReturnRow) -> ChildParticulars:
    return ChildParticulars(
        forenames=row.forename,
        surname=row.surname,
        date_of_birth=row.date_of_birth,
        sex=row.sex or "U",
        upn=row.upn,
        address_line_1=row.address_line_1,
        town=row.town,
        postcode=row.postcode,
    )


def _data(row: ReturnRow, schools: dict[str, School]) -> DeletionData | NewPupilData:
    school = schools[row.school_urn]
    if row.return_type == ReturnType.DELETION:
        return DeletionData(
            child=_child(row),
            school=school,
            ground=row.ground,
            deletion_date=row.deletion_date,
            emergency_phone=row.parent_phone,
            parent_names=row.parent_name,
            parent_2_name=row.parent_2_name,
            parent_2_phone=row.parent_2_phone,
            new_address=row.new_address,
            new_address_from=row.date_of_move,
            new_school=schools.get(row.new_school_urn) if row.new_school_urn else None,
            lost_pupil=row.lost_pupil,
            absence_from=row.absence_from,
        )
    return NewPupilData(
        child=_child(row),
        school=school,
        start_date=row.start_date,
        parent_names=row.parent_name,
        parent_phone=row.parent_phone,
    )


def _column(field_name: str) -> str:
    """A check's field name as the return file spells it."""
    return COLUMN_FOR.get(field_name, field_name)


def _schools(rows: Iterable[ReturnRow]) -> dict[str, School]:
    """Every school the file names, in one query (with the school's organisation, which a
    return the CME team records on a school's behalf is filed under)."""
    rows = list(rows)
    urns = {r.school_urn for r in rows} | {r.new_school_urn for r in rows if r.new_school_urn}
    return {s.urn: s for s in School.objects.filter(urn__in=urns).select_related("organisation")}


def _child_key(row: ReturnRow) -> ChildKey:
    return ChildKey(
        upn=row.upn, forenames=row.forename, surname=row.surname, date_of_birth=row.date_of_birth
    )


def _key(row: ReturnRow) -> tuple[str, ...]:
    if row.upn:
        return (row.return_type, "upn", row.upn.upper())
    return (
        row.return_type,
        "name",
        row.surname.casefold(),
        row.forename.casefold(),
        str(row.date_of_birth),
    )


def import_preview(*, parsed: ParsedFile, by: User, school_urn: str = "") -> Preview:
    """Check every row; write nothing."""
    preview = Preview(
        source=parsed.source,
        rows=parsed.rows,
        errors=list(parsed.errors),
        warnings=[RowError(w.row, w.field, w.message) for w in parsed.warnings],
    )
    schools = _schools(parsed.rows)
    own_urn = ""
    if is_school_user(by) and by.organisation and by.organisation.school:
        own_urn = by.organisation.school.urn
    seen: dict[tuple[str, ...], int] = {}
    already_bad = preview.bad_rows
    already_warned = set(preview.warnings)
    checked: list[ReturnRow] = []
    for row in parsed.rows:
        if row.row in already_bad:
            continue
        problem: RowError | None = None
        if row.school_urn not in schools:
            problem = RowError(row.row, "school_urn", f"No school with URN {row.school_urn}")
        elif school_urn and row.school_urn != school_urn:
            problem = RowError(row.row, "school_urn", f"This import is for URN {school_urn} only")
        elif own_urn and row.school_urn != own_urn:
            problem = RowError(row.row, "school_urn", "You can only send returns for your school")
        elif row.new_school_urn and row.new_school_urn not in schools:
            problem = RowError(
                row.row, "new_school_urn", f"No school with URN {row.new_school_urn}"
            )
        elif (first := seen.get(_key(row))) is not None:
            problem = RowError(
                row.row, "upn" if row.upn else "surname", f"Duplicate of row {first}"
            )
        if problem is None:
            try:
                data = _data(row, schools)
                if isinstance(data, DeletionData):
                    verdict = deletion_return_check(data=data, by=by)
                else:
                    verdict = new_pupil_return_check(data=data, by=by)
            except IntakeError as error:
                problem = RowError(row.row, _column(error.field or ""), str(error))
            else:
                # The parser ran the same check; rows built another way get its warnings here.
                for warning in verdict.warnings:
                    flagged = RowError(row.row, _column(warning.field), warning.message)
                    if flagged not in already_warned:
                        preview.warnings.append(flagged)
        seen.setdefault(_key(row), row.row)
        if problem is not None:
            preview.errors.append(problem)
            continue
        checked.append(row)
    if is_la_staff(by):
        # Likely duplicates for the whole file in a few queries (never shown to a school).
        known = children_known(_child_key(r) for r in checked)
        for row in checked:
            child = known.get(_child_key(row))
            if child is not None:
                preview.known[row.row] = child
                preview.duplicates.append(
                    Duplicate(row.row, f"Likely the known child {child.full_name}")
                )
    preview.errors.sort(key=lambda e: (e.row, e.field))
    return preview


def _read_kept_file(batch: ImportBatch) -> bytes:
    batch.file.open("rb")
    try:
        return bytes(batch.file.read())
    finally:
        batch.file.close()


class _ProgressSaver:
    """Writes how far a task has got, for the batch's page: an UPDATE of two numbers, outside
    any transaction so the page sees it at once, never audited. Called by the parser with the
    rows read, and by the commit with (done, total)."""

    def __init__(self, batch_id: int, state: ImportState, total: int) -> None:
        self.batch_id, self.state, self.total = batch_id, state, total

    def __call__(self, done: int, total: int | None = None) -> None:
        ImportBatch.objects.filter(pk=self.batch_id, state=self.state).update(
            progress_done=done, progress_total=max(total or self.total, done)
        )


def import_check(
    *,
    batch: ImportBatch,
    data: bytes,
    by: User,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
) -> Preview | None:
    """Parse and check the kept file once, with no transaction open, and store the result on
    the batch (None: unreadable, the reason stored). Only a batch waiting to be checked is
    stored: a second run that finds it checked by the first changes nothing."""
    school_urn = batch.summary.get("school_urn", "")
    preview: Preview | None
    try:
        parsed = parse_return_file(
            data,
            batch.original_name,
            max_bytes=max_bytes,
            max_rows=settings.CMETRACK_IMPORT_MAX_ROWS,
            max_unzipped_bytes=settings.CMETRACK_IMPORT_MAX_UNZIPPED_BYTES,
            progress=progress,
        )
    except UnreadableFile as error:
        preview = None
        summary: dict[str, Any] = {"unreadable": str(error), "school_urn": school_urn}
        state, stored = ImportState.UNREADABLE, {}
    else:
        preview = import_preview(parsed=parsed, by=by, school_urn=school_urn)
        summary = {**preview.summary(), "school_urn": school_urn}
        state, stored = ImportState.CHECKED, rows_to_store(preview.valid_rows())
    with transaction.atomic():  # short: the result is written, nothing is parsed here
        current = ImportBatch.objects.select_for_update().defer("preview").get(pk=batch.pk)
        if current.state not in (ImportState.QUEUED, ImportState.CHECKING):
            return preview  # another run stored it first
        with acting_as(by):
            current.summary, current.state = summary, state
            current.progress_done = current.progress_total = len(preview.rows) if preview else 0
            current.save(update_fields=["summary", "state", "progress_done", "progress_total"])
        # The rows themselves are the file's content, kept already: not copied to the audit log.
        ImportBatch.objects.filter(pk=batch.pk).update(preview=stored)
    batch.summary, batch.state, batch.preview = summary, state, stored
    return preview


def import_upload(
    *,
    data: bytes,
    filename: str,
    by: User,
    school_urn: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
    background: bool = False,
) -> tuple[ImportBatch, Preview | None]:
    """Keep the file and who sent it, parse and check it (no transaction open), and record the
    result. An unreadable file is kept too, with the reason; its preview is None.

    With `background` (the upload page), a file of more than CMETRACK_IMPORT_BACKGROUND_ROWS rows
    (by `estimate_rows`) is only kept, and checked by a task: the batch comes back queued (or
    already checked, when tasks run at once) and the preview is None."""
    if not can_submit_school_returns(by):
        raise ImportRefused("Only a school or the CME team can import returns.")
    if len(data) > max_bytes:
        # Not kept: a file over the limit is refused before it is stored.
        raise UnreadableFile(
            f"The file is {len(data) / 1_000_000:.1f} MB, over the "
            f"{max_bytes / 1_000_000:.1f} MB limit. Split it into smaller files."
        )
    estimate = estimate_rows(data, max_unzipped_bytes=settings.CMETRACK_IMPORT_MAX_UNZIPPED_BYTES)
    later = background and estimate > settings.CMETRACK_IMPORT_BACKGROUND_ROWS
    batch = ImportBatch(
        original_name=filename[:255],
        uploaded_by=by,
        organisation=by.organisation,
        summary={"school_urn": school_urn},
        state=ImportState.QUEUED if later else ImportState.CHECKING,
        progress_total=min(estimate, settings.CMETRACK_IMPORT_MAX_ROWS),
    )
    with acting_as(by):
        batch.file.save("upload", ContentFile(data), save=False)
        batch.save()
    if later:
        from .tasks import check_import  # the tasks module imports this one

        check_import.enqueue(batch.pk, by.pk)
        batch.refresh_from_db()
        return batch, None
    return batch, import_check(batch=batch, data=data, by=by, max_bytes=max_bytes)


def run_queued_check(*, batch_id: int, user_id: int) -> None:
    """The background check (`tasks.check_import`). Safe to run again or twice at once: a
    batch no longer waiting is left alone, and only the first result is stored."""
    batch = ImportBatch.objects.defer("preview").filter(pk=batch_id).first()
    if batch is None or batch.state not in (ImportState.QUEUED, ImportState.CHECKING):
        return
    ImportBatch.objects.filter(pk=batch_id, state=ImportState.QUEUED).update(
        state=ImportState.CHECKING, progress_done=0
    )
    batch.state = ImportState.CHECKING
    by = User.objects.get(pk=user_id)
    saver = _ProgressSaver(batch_id, ImportState.CHECKING, batch.progress_total)
    try:
        import_check(batch=batch, data=_read_kept_file(batch), by=by, progress=saver)
    except Exception:
        logger.exception("Checking import %s failed", batch.public_id)
        ImportBatch.objects.filter(
            pk=batch_id, state__in=[ImportState.QUEUED, ImportState.CHECKING]
        ).update(state=ImportState.FAILED)
        raise


def batch_preview(*, batch: ImportBatch, by: User, max_bytes: int = DEFAULT_MAX_BYTES) -> Preview:
    """The stored result as a Preview (never parses: the rows are the ones the check passed,
    the errors, warnings and likely duplicates the ones it found)."""
    summary = batch.summary
    if "preview" in batch.get_deferred_fields():
        batch = ImportBatch.objects.get(pk=batch.pk)
    return Preview(
        source=summary.get("source", ""),
        rows=tuple(stored_rows(batch)),
        errors=[RowError(r, f, m) for r, f, m in summary.get("errors", [])],
        warnings=[RowError(r, f, m) for r, f, m in summary.get("warnings", [])],
        duplicates=[Duplicate(r, m) for r, m in summary.get("duplicates", [])],
    )


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
    from .tasks import commit_import  # the tasks module imports this one

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
