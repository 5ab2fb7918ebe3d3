"""Keeping the uploaded file and checking it once, with no transaction open, in the request or in a
background task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from cmetrack.accounts.access import can_submit_school_returns
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..importing.parse import estimate_rows, parse_return_file
from ..importing.rows import RowError, UnreadableFile
from ..models import ImportBatch, ImportKnownChild
from .common import DEFAULT_MAX_BYTES, ImportRefused, ImportState, logger
from .preview import Duplicate, Preview, import_preview
from .stored import rows_to_store, stored_rows


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
        # The likely known children with their ids, so the preview page can audit who it shows.
        if preview is not None and preview.known:
            ImportKnownChild.objects.bulk_create(
                ImportKnownChild(batch_id=batch.pk, row=row, child=child)
                for row, child in sorted(preview.known.items())
            )
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
        from ..tasks import check_import  # the tasks module imports this one

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
        known={m.row: m.child for m in batch.known_children.select_related("child")},
    )
