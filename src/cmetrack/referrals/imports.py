"""Bulk import of deletion and new-pupil returns: upload → preview → commit (two phases).

The parsers (importing/) turn bytes into rows and never touch the database. Here each row is
checked against the database (school URNs, the route services' own refusals), in-file
duplicates are refused, and children the authority already knows are shown as likely duplicates
(to the CME team only: a school must not learn whether a child is known). Commit re-reads the
kept file and writes every row through the route services in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

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

from .importing.parse import parse_return_file
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
    new_pupil_return_build,
    new_pupil_return_check,
    submission_details,
)

DEFAULT_MAX_BYTES = 20_000_000

Progress = Callable[[int, int], None]


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
            "errors": [[e.row, e.field, e.message] for e in self.errors],
            "warnings": [[w.row, w.field, w.message] for w in self.warnings],
            "duplicates": [[d.row, d.message] for d in self.duplicates],
        }


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
            new_address=row.new_address,
            new_address_from=row.date_of_move,
            new_school=schools.get(row.new_school_urn) if row.new_school_urn else None,
            lost_pupil=row.lost_pupil,
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


def _parse(batch: ImportBatch, max_bytes: int) -> ParsedFile:
    batch.file.open("rb")
    try:
        data = batch.file.read()
    finally:
        batch.file.close()
    return parse_return_file(data, batch.original_name, max_bytes=max_bytes)


@transaction.atomic
def import_upload(
    *,
    data: bytes,
    filename: str,
    by: User,
    school_urn: str = "",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[ImportBatch, Preview | None]:
    """Keep the file and who sent it, parse and check it, and record the result. An unreadable
    file is kept too, with the reason; its preview is None."""
    if not can_submit_school_returns(by):
        raise ImportRefused("Only a school or the CME team can import returns.")
    if len(data) > max_bytes:
        # Not kept: a file over the limit is refused before it is stored.
        raise UnreadableFile(
            f"The file is {len(data) / 1_000_000:.1f} MB, over the "
            f"{max_bytes / 1_000_000:.1f} MB limit. Split it into smaller files."
        )
    batch = ImportBatch(original_name=filename[:255], uploaded_by=by, organisation=by.organisation)
    with acting_as(by):
        batch.file.save("upload", ContentFile(data), save=False)
        preview: Preview | None
        try:
            parsed = parse_return_file(data, filename, max_bytes=max_bytes)
        except UnreadableFile as error:
            batch.summary = {"unreadable": str(error)}
            preview = None
        else:
            preview = import_preview(parsed=parsed, by=by, school_urn=school_urn)
            batch.summary = {**preview.summary(), "school_urn": school_urn}
        batch.save()
    return batch, preview


def batch_preview(*, batch: ImportBatch, by: User, max_bytes: int = DEFAULT_MAX_BYTES) -> Preview:
    parsed = _parse(batch, max_bytes)
    return import_preview(parsed=parsed, by=by, school_urn=batch.summary.get("school_urn", ""))


@transaction.atomic
def import_commit(
    *,
    batch: ImportBatch,
    valid_only: bool,
    by: User,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportBatch:
    """Write every row (or, when chosen, every valid row) in one transaction. A file with any
    error commits nothing unless valid_only."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.committed:
        raise ImportRefused("This file has already been imported.")
    if batch.uploaded_by_id != by.pk and not is_la_staff(by):
        raise ImportRefused("Only the person who uploaded the file can import it.")
    if "unreadable" in batch.summary:
        raise ImportRefused(batch.summary["unreadable"])
    preview = batch_preview(batch=batch, by=by, max_bytes=max_bytes)
    if preview.errors and not valid_only:
        raise ImportRefused(
            f"The file has {len(preview.errors)} error(s): nothing was imported. Correct the "
            "file, or choose to import the valid rows only."
        )
    rows = preview.valid_rows()
    if not rows:
        raise ImportRefused("There are no valid rows to import.")
    schools = _schools(rows)
    saved: list[tuple[ReturnRow, Submission]] = []
    # Built and checked by the route services row by row, then written in bulk with an audit
    # entry each (see _bulk_insert), inside this one transaction.
    calendars: dict[str, SchoolCalendar] = {}
    for done, row in enumerate(rows, start=1):
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
    for model in (DeletionReturn, NewPupilReturn):
        _bulk_insert([ret for _, ret in saved if type(ret) is model], by=by)
    _record_on_open_cases(saved, preview, by)
    with acting_as(by):
        batch.committed = True
        batch.committed_at = timezone.now()
        batch.summary = {
            **batch.summary,
            **preview.summary(),
            "committed": len(rows),
            "valid_only": valid_only,
        }
        batch.save(update_fields=["committed", "committed_at", "summary"])
    return batch


def _record_on_open_cases(
    saved: list[tuple[ReturnRow, Submission]], preview: Preview, by: User
) -> None:
    """Each imported return about a child with an open case writes its line on that case now
    (as a single return does when it is sent). The children are the preview's likely
    duplicates (found for the whole file in a few queries), or looked up now for a school."""
    known = preview.known
    if not is_la_staff(by):
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
