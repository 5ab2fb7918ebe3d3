"""Writing a checked migration (every row, or every valid one) in one transaction, and taking a
committed one back (undo) in one transaction, only while nobody has changed what it wrote."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.bulk import bulk_insert_with_audit
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import Case, CaseEvent, MissingReason
from cmetrack.cases.services import CaseError, ImportedCaseData, cases_import, tasks_sync
from cmetrack.children.models import Child
from cmetrack.children.services import children_create
from cmetrack.schooldays.selectors import school_calendar
from cmetrack.schools.models import School

from ..models import MigratedRow, MigrationState, RegisterMigration
from ..rows import RegisterRow
from .check import case_data, child_data, row_from_json
from .common import MigrationRefused, Progress, ProgressSaver, logger, require_team
from .steps import _too_late


def commit_refusal(*, batch: RegisterMigration, valid_only: bool) -> str:
    """Why this batch cannot be committed now ("" if it can), from what the check stored."""
    if batch.state != MigrationState.CHECKED:
        if batch.state in (MigrationState.READ, MigrationState.MAPPED):
            return "Check the file before importing it."
        return _too_late(batch)
    summary = batch.summary
    if summary.get("errors") and not valid_only:
        return (
            f"The file has {len(summary['errors'])} error(s): nothing was imported. Correct the "
            "file, or choose to import the valid rows only."
        )
    if not summary.get("valid"):
        return "There are no rows to import: every row has an error or is already known."
    return ""


def migration_commit_request(
    *, batch: RegisterMigration, valid_only: bool, by: User
) -> RegisterMigration:
    """The import button: up to CMETRACK_IMPORT_BACKGROUND_ROWS rows are written now; more are
    handed to a task (state committing) and the batch's page shows the progress."""
    require_team(by)
    refusal = commit_refusal(batch=batch, valid_only=valid_only)
    if refusal:
        raise MigrationRefused(refusal)
    valid = int(batch.summary.get("valid", 0))
    if valid <= settings.CMETRACK_IMPORT_BACKGROUND_ROWS:
        return migration_commit(batch=batch, valid_only=valid_only, by=by)
    claimed = RegisterMigration.objects.filter(pk=batch.pk, state=MigrationState.CHECKED).update(
        state=MigrationState.COMMITTING, progress_done=0, progress_total=valid
    )
    if not claimed:
        raise MigrationRefused("This register is already being imported.")
    from ..tasks import commit_migration  # the tasks module imports this one

    commit_migration.enqueue(batch.pk, by.pk, valid_only)
    return RegisterMigration.objects.defer("stored_rows").get(pk=batch.pk)


def run_queued_commit(*, batch_id: int, user_id: int, valid_only: bool) -> None:
    """The background commit (`tasks.commit_migration`): a batch no longer committing is left
    alone, so it is safe to run again or twice at once; a refusal goes back on the page."""
    batch = RegisterMigration.objects.defer("stored_rows").filter(pk=batch_id).first()
    if batch is None or batch.state != MigrationState.COMMITTING:
        return
    by = User.objects.get(pk=user_id)
    try:
        migration_commit(
            batch=batch,
            valid_only=valid_only,
            by=by,
            progress=ProgressSaver(batch_id, MigrationState.COMMITTING),
        )
    except Exception as error:
        if isinstance(error, MigrationRefused):
            message = str(error)
        else:
            logger.exception("Committing register migration %s failed", batch.public_id)
            message = "The import stopped on an unexpected error: nothing was imported."
        current = RegisterMigration.objects.defer("stored_rows").get(pk=batch_id)
        RegisterMigration.objects.filter(pk=batch_id, state=MigrationState.COMMITTING).update(
            state=MigrationState.CHECKED, summary={**current.summary, "commit_refused": message}
        )
        if not isinstance(error, MigrationRefused):
            raise


def migration_commit(
    *,
    batch: RegisterMigration,
    valid_only: bool,
    by: User,
    progress: Progress | None = None,
) -> RegisterMigration:
    """Write every stored row in one transaction, the batch locked: the new children in one bulk
    insert (`children_create`; a child already held is reused), each case through `case_import`
    with the register's own dates and notes, then the deadlines of all of them from their referral
    dates (`tasks_sync`), and a `MigratedRow` for each, for the undo. A file with any error
    commits nothing unless `valid_only`; a row the register no longer allows (a case opened
    since the check) stops the whole import."""
    require_team(by)
    with transaction.atomic():
        locked = RegisterMigration.objects.select_for_update().get(pk=batch.pk)
        background = locked.state == MigrationState.COMMITTING
        if background:
            locked.state = MigrationState.CHECKED  # claimed by the task: judged as checked
        refusal = commit_refusal(batch=locked, valid_only=valid_only)
        if refusal:
            raise MigrationRefused(refusal)
        entries: list[dict[str, Any]] = list(locked.stored_rows.get("rows", []))
        reasons = {r.code: r for r in MissingReason.objects.all()}
        schools = School.objects.in_bulk([e["school"] for e in entries if e.get("school")])
        known = Child.objects.filter(merged_into__isnull=True).in_bulk(
            [e["child"] for e in entries if e.get("child")]
        )
        rows = [row_from_json(entry["row"]) for entry in entries]
        # The rows that make a new child, made in one bulk insert: file row -> its child.
        new_rows = [
            row
            for row, entry in zip(rows, entries, strict=True)
            if not entry.get("child") and not entry.get("same_as")
        ]
        made = dict(
            zip(
                (row.row for row in new_rows),
                children_create(items=[child_data(row) for row in new_rows], by=by),
                strict=True,
            )
        )
        if progress is not None:
            progress(len(new_rows), len(entries))
        planned: list[tuple[RegisterRow, Child, bool, ImportedCaseData]] = []
        for row, entry in zip(rows, entries, strict=True):
            if entry.get("child"):
                child = known.get(entry["child"])
                if child is None:
                    raise MigrationRefused(
                        f"Row {row.row}: the child it matched was merged or removed since the "
                        "check: nothing was imported. Check the file again."
                    )
            else:
                child = made[entry.get("same_as") or row.row]
            school = schools.get(entry["school"]) if entry.get("school") else None
            data = case_data(
                row, reasons=reasons, school=school, imported_from=locked.original_name
            )
            planned.append((row, child, row.row in made, data))
        try:
            cases = cases_import(items=[(child, data) for _, child, _, data in planned], by=by)
        except CaseError as error:
            raise MigrationRefused(
                f"{error} Nothing was imported: check the file again."
            ) from error
        records = [
            MigratedRow(
                batch=locked,
                row=row.row,
                legacy_reference=row.legacy_reference[:100],
                child=child,
                child_created=created,
                case=case,
                case_version=case.version,
                child_version=child.version,
            )
            for (row, child, created, _), case in zip(planned, cases, strict=True)
        ]
        case_ids = [case.pk for case in (r.case for r in records) if case is not None]
        synced = tasks_sync(cases=Case.objects.filter(pk__in=case_ids), calendar=school_calendar())
        events = _event_counts(case_ids)
        for record in records:
            record.case_events = events.get(record.case_id or 0, 0)
        bulk_insert_with_audit(records, by=by)
        RegisterMigration.objects.filter(pk=locked.pk).update(stored_rows={})
        with acting_as(by):
            locked.state = MigrationState.COMMITTED
            locked.committed_at = timezone.now()
            locked.committed_by = by
            locked.progress_done = locked.progress_total = len(records)
            locked.summary = {
                **{k: v for k, v in locked.summary.items() if k != "commit_refused"},
                "committed": len(records),
                "children_created": sum(1 for r in records if r.child_created),
                "valid_only": valid_only,
                "tasks_created": synced.created,
                "missing_term_dates": sorted(synced.missing_term_dates),
            }
            locked.save(
                update_fields=[
                    "state",
                    "committed_at",
                    "committed_by",
                    "progress_done",
                    "progress_total",
                    "summary",
                ]
            )
    return locked


def _event_counts(case_ids: list[int]) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for start in range(0, len(case_ids), 900):
        chunk = case_ids[start : start + 900]
        for row in (
            CaseEvent.objects.filter(case_id__in=chunk)
            .values("case_id")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[row["case_id"]] = row["n"]
    return dict(counts)


def undo_refusal(*, batch: RegisterMigration) -> list[str]:
    """What stops this batch being taken back: each case or child it wrote that anyone has
    changed since (a newer version, a timeline line added, a case opened on a child it
    created), named so the officer can look. Empty if it can be undone."""
    if batch.state != MigrationState.COMMITTED:
        return ["Only an imported register can be undone."]
    records = list(batch.rows.select_related("case", "child"))
    case_ids = [r.case_id for r in records if r.case_id]
    events = _event_counts(case_ids)
    created = [r.child_id for r in records if r.child_created and r.child_id]
    ours = set(case_ids)
    other_cases: Counter[int] = Counter(
        Case.objects.filter(child_id__in=created)
        .exclude(pk__in=ours)
        .values_list("child_id", flat=True)
    )
    changed: list[str] = []
    for r in records:
        case, child = r.case, r.child
        name = child.full_name if child else "a removed record"
        if case is None:
            changed.append(f"Row {r.row} ({name}): its case was removed or merged since")
        elif case.version != r.case_version or events.get(case.pk, 0) != r.case_events:
            changed.append(f"Row {r.row}: {case.reference} ({name}) has changed since")
        elif r.child_created and (
            child is None
            or child.version != r.child_version
            or child.merged_into_id is not None
            or other_cases[child.pk]
        ):
            changed.append(f"Row {r.row}: {name}'s record has changed since")
    return changed


def migration_undo(*, batch: RegisterMigration, by: User) -> RegisterMigration:
    """Take a committed batch back in one transaction: delete the cases it opened (their
    timelines and tasks go with them) and the children it created, audited as deletions by
    `by`. Refused, naming them, if anyone has changed any of them since; the batch becomes
    "undone" and the same file may be imported again."""
    require_team(by)
    with transaction.atomic():
        locked = RegisterMigration.objects.select_for_update().defer("stored_rows").get(pk=batch.pk)
        problems = undo_refusal(batch=locked)
        if problems:
            shown = problems[:10]
            more = f" and {len(problems) - 10} more" if len(problems) > 10 else ""
            raise MigrationRefused(
                "This migration cannot be undone: "
                + "; ".join(shown)
                + more
                + ". Nothing was taken back."
            )
        records = list(locked.rows.all())
        with acting_as(by):
            try:
                # Deleted as querysets: Django collects the related rows in a few queries, and
                # still sends each row's signals, so auditlog records every deletion.
                Case.objects.filter(pk__in=[r.case_id for r in records if r.case_id]).delete()
                Child.objects.filter(
                    pk__in=[r.child_id for r in records if r.child_created and r.child_id]
                ).delete()
            except ProtectedError as error:
                raise MigrationRefused(
                    "This migration cannot be undone: something else now refers to what it "
                    "imported (a return, letter or record linked to one of its cases or "
                    "children). Nothing was taken back."
                ) from error
            locked.state = MigrationState.UNDONE
            locked.undone_at = timezone.now()
            locked.undone_by = by
            locked.summary = {**locked.summary, "undone": len(records)}
            locked.save(update_fields=["state", "undone_at", "undone_by", "summary"])
    return locked
