"""The check: every row read with the confirmed mappings (`reading.read_rows`, no database),
then against the register: the last school by URN or name, children already held (the exact
rules for the whole file in a few queries, then the matching scorer for the rest), a child with
an open case already and a row an earlier migration imported ("already known": not imported
again), the case's own rules. The result is stored on the batch: the summary the preview shows
and the rows that passed, for the commit. Run with no transaction open, in the request or by a
background task for a large file.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import Case, MissingReason
from cmetrack.cases.services import (
    ImportedCaseData,
    ImportedNote,
    ReferralData,
    imported_case_problem,
)
from cmetrack.cases.status import OPEN_STATUSES, Status
from cmetrack.children.models import Child
from cmetrack.children.services import AddressData, ChildData, ContactData
from cmetrack.matching.selectors import candidates_for
from cmetrack.referrals.known import ChildKey, children_known, open_cases_of
from cmetrack.referrals.selectors import LIKELY_CASE_THRESHOLD
from cmetrack.schools.models import School

from ..models import MigratedRow, MigrationKnownChild, MigrationState, RegisterMigration
from ..reading import read_rows
from ..rows import (
    CodeMapping,
    HistoryNote,
    RegisterField,
    RegisterRow,
    RowError,
    UnreadableRegister,
)
from .common import SHOWN_ROWS, MigrationRefused, Progress, ProgressSaver, logger, require_team
from .steps import _too_late, kept_sheet, mapping_from_json, mark_unreadable

# A row whose best match among the children held is at least this likely is taken to be that
# child (shown on the preview with the scorer's reasons): the triage's threshold for linking.
LIKELY = LIKELY_CASE_THRESHOLD


@dataclass
class Checked:
    """What the check found, before it is stored."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # [row, message, [the scorer's sentences]] for rows taken to be a child already held.
    duplicates: list[list[Any]] = field(default_factory=list)
    # [row, why] for rows not imported because the register already has them.
    known: list[list[Any]] = field(default_factory=list)
    # Row number -> the child already held it is (reused by the commit, or the reason it is
    # known), for the audit of each showing of the preview.
    children: dict[int, Child] = field(default_factory=dict)
    valid: list[dict[str, Any]] = field(default_factory=list)
    shown: list[list[Any]] = field(default_factory=list)


def _codes(batch: RegisterMigration) -> CodeMapping:
    return {RegisterField(f): dict(v) for f, v in batch.code_mapping.items()}


def _defaults(batch: RegisterMigration) -> dict[RegisterField, str]:
    return {RegisterField(f): v for f, v in batch.code_defaults.items()}


def row_to_json(row: RegisterRow) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(RegisterRow):
        value = getattr(row, f.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif f.name == "notes":
            value = [[n.text, n.on.isoformat() if n.on else None] for n in value]
        out[f.name] = value
    return out


def _is_date(hint: Any) -> bool:
    return hint is date or date in typing.get_args(hint)


def row_from_json(stored: dict[str, Any]) -> RegisterRow:
    """A stored row back as a RegisterRow; a field added since takes its default."""
    hints = typing.get_type_hints(RegisterRow)
    kwargs: dict[str, Any] = {}
    for name, value in stored.items():
        if name not in hints:
            continue
        if name == "notes":
            value = tuple(HistoryNote(t, date.fromisoformat(on) if on else None) for t, on in value)
        elif _is_date(hints[name]) and value:
            value = date.fromisoformat(value)
        kwargs[name] = value
    return RegisterRow(**kwargs)


def child_data(row: RegisterRow) -> ChildData:
    address = None
    if row.address_line_1 or row.postcode or row.town:
        address = AddressData(
            line_1=row.address_line_1,
            line_2=row.address_line_2,
            town=row.town,
            postcode=row.postcode,
        )
    contacts = (
        [ContactData(name=row.parent_name, phone=row.parent_phone)] if row.parent_name else []
    )
    forenames = " ".join(n for n in (row.forenames, row.middle_names) if n)
    return ChildData(
        forenames=forenames,
        surname=row.surname,
        date_of_birth=row.date_of_birth,
        sex=row.sex,
        upn=row.upn,
        address=address,
        contacts=contacts,
    )


def case_data(
    row: RegisterRow,
    *,
    reasons: dict[str, MissingReason],
    school: School | None,
    imported_from: str,
) -> ImportedCaseData:
    return ImportedCaseData(
        referral=ReferralData(
            child=child_data(row),
            primary_reason=reasons[row.reason_code],
            referral_source=row.referral_source,
            referral_date=row.referral_date,
            referrer=row.referrer,
            last_school=school,
            date_last_attended=row.date_last_attended,
            risk_level=row.risk_level,
        ),
        status=row.status,
        outcome=row.outcome,
        closed_on=row.closed_on,
        notes=[ImportedNote(n.text, n.on) for n in row.notes],
        imported_from=imported_from,
    )


def _child_key(row: RegisterRow) -> ChildKey:
    return ChildKey(
        upn=row.upn,
        forenames=" ".join(n for n in (row.forenames, row.middle_names) if n),
        surname=row.surname,
        date_of_birth=row.date_of_birth,
    )


@dataclass(frozen=True)
class _Seen:
    """A child's first row in the file, for the rows after it that name the same child."""

    row: int
    is_open: bool
    upn: str


def _earlier_row(row: RegisterRow, seen: dict[tuple[Any, ...], _Seen]) -> _Seen | None:
    """The same child earlier in the file: by UPN, else by name and date of birth, unless both
    rows give a UPN and they differ (a register often has the UPN on one case and not on the
    other, or a mistyped one that reading dropped)."""
    if row.upn and (hit := seen.get(("upn", row.upn))):
        return hit
    hit = seen.get(_name_key(row))
    if hit is None or (row.upn and hit.upn and hit.upn != row.upn):
        return None
    return hit


def _remember(row: RegisterRow, is_open: bool, seen: dict[tuple[Any, ...], _Seen]) -> None:
    first = _Seen(row.row, is_open, row.upn)
    if row.upn:
        seen.setdefault(("upn", row.upn), first)
    seen.setdefault(_name_key(row), first)
    if row.date_of_birth is not None:
        seen.setdefault(("dated", row.forenames.casefold(), row.surname.casefold()), first)
    seen.setdefault(("named", row.forenames.casefold(), row.surname.casefold()), first)


def _undated_namesake(row: RegisterRow, seen: dict[tuple[Any, ...], _Seen]) -> _Seen | None:
    """An earlier row with the same name where one of the two has no date of birth: perhaps
    the same child, perhaps not; cmetrack cannot tell, so the officer is told."""
    name = (row.forenames.casefold(), row.surname.casefold())
    if row.date_of_birth is None:
        return seen.get(("named", *name))
    hit = seen.get(("named", *name))
    return hit if hit is not None and ("dated", *name) not in seen else None


def _name_key(row: RegisterRow) -> tuple[Any, ...]:
    return ("name", row.forenames.casefold(), row.surname.casefold(), row.date_of_birth)


def _schools(rows: Iterable[RegisterRow]) -> tuple[dict[str, School], dict[str, list[School]]]:
    """Schools the rows name: by URN, and by name (casefolded; a name may be two schools)."""
    wanted = {r.last_school.strip() for r in rows if r.last_school.strip()}
    urns = {w for w in wanted if w.isdigit()}
    by_urn = {s.urn: s for s in School.objects.filter(urn__in=urns)}
    names = {w.casefold() for w in wanted - urns}
    by_name: dict[str, list[School]] = {}
    if names:
        for school in School.objects.all().only("pk", "urn", "name"):
            key = school.name.casefold()
            if key in names:
                by_name.setdefault(key, []).append(school)
    return by_urn, by_name


_CHILD_FIELDS = [f"child__{f.name}" for f in Child._meta.concrete_fields]


def _already_imported(refs: set[str]) -> dict[str, MigratedRow]:
    """Legacy references an earlier migration imported (and has not undone)."""
    found: dict[str, MigratedRow] = {}
    query = MigratedRow.objects.filter(
        legacy_reference__in=sorted(refs),
        case__isnull=False,
        batch__state=MigrationState.COMMITTED,
    ).select_related("batch", "child")
    # Only the batch's name is shown: its JSON columns (the preview, the stored rows) are large,
    # and every row of a second import of the same file would read them again.
    query = query.only("row", "legacy_reference", "case_id", "batch__original_name", *_CHILD_FIELDS)
    for migrated in query:
        found.setdefault(migrated.legacy_reference, migrated)
    return found


def check_rows(
    *,
    rows: list[RegisterRow],
    by: User,
    imported_from: str,
    progress: Progress | None = None,
) -> Checked:
    """Judge every read row against the register (reads only)."""
    result = Checked(rows=len(rows))
    reasons = {r.code: r for r in MissingReason.objects.all()}
    by_urn, by_name = _schools(rows)
    imported = _already_imported({r.legacy_reference for r in rows if r.legacy_reference})
    exact = children_known(_child_key(r) for r in rows)
    open_cases = open_cases_of(exact.values())
    episodes = _episodes([c.pk for c in exact.values()])
    seen_refs: dict[str, int] = {}
    seen_people: dict[tuple[Any, ...], _Seen] = {}
    for done, row in enumerate(rows, start=1):
        if progress is not None and (done % 250 == 0 or done == len(rows)):
            progress(done, len(rows))
        ref = row.legacy_reference
        if ref and ref in imported:
            before = imported[ref]
            result.known.append(
                [row.row, f"Already imported from {before.batch.original_name} (row {before.row})"]
            )
            if before.child is not None:
                result.children[row.row] = before.child
            continue
        if ref and ref in seen_refs:
            result.errors.append(
                RowError(row.row, "legacy_reference", f"The same reference as row {seen_refs[ref]}")
            )
            continue
        if ref:
            seen_refs[ref] = row.row
        school: School | None = None
        name = row.last_school.strip()
        if name:
            if name.isdigit():
                school = by_urn.get(name)
                if school is None:
                    result.warnings.append(
                        RowError(row.row, "last_school", f"No school with URN {name}: left blank")
                    )
            else:
                named = by_name.get(name.casefold(), [])
                if len(named) == 1:
                    school = named[0]
                else:
                    why = "several schools have that name" if named else "no school of that name"
                    result.warnings.append(
                        RowError(row.row, "last_school", f"'{name}': {why}: left blank")
                    )
        if row.reason_code not in reasons:
            result.errors.append(RowError(row.row, "reason", "Not a reason cmetrack knows"))
            continue
        data = case_data(row, reasons=reasons, school=school, imported_from=imported_from)
        if problem := imported_case_problem(data):
            result.errors.append(RowError(row.row, "(row)", problem))
            continue
        is_open = row.status != Status.CLOSED
        earlier = _earlier_row(row, seen_people)
        if earlier is not None and is_open and earlier.is_open:
            result.errors.append(
                RowError(row.row, "(row)", f"A second open case for the child of row {earlier.row}")
            )
            continue
        child = exact.get(_child_key(row))
        case: Case | None = open_cases.get(child.pk) if child is not None else None
        entry: dict[str, Any] = {"row": row_to_json(row), "school": school.pk if school else None}
        duplicate: list[Any] = []
        if child is not None:
            same = "UPN" if row.upn and child.upn == row.upn else "name and date of birth"
            duplicate = [row.row, f"{child.full_name}, already held: the same {same}", []]
        elif earlier is None:
            child, duplicate = _likely_child(row, by)
            if child is not None:
                case = Case.objects.filter(child=child, status__in=OPEN_STATUSES).first()
                episodes.update(_episodes([child.pk]))
        if child is not None:
            result.children[row.row] = child
            if case is not None:
                # The register already follows this child: the old row is not a second case.
                result.known.append(
                    [row.row, f"{child.full_name} already has an open case ({case.reference})"]
                )
                continue
            if same := episodes.get((child.pk, row.referral_date), ""):
                # The same child referred on the same day: this episode is held already.
                result.known.append(
                    [row.row, f"{child.full_name} already has this case ({same}, closed)"]
                )
                continue
            result.duplicates.append(duplicate)
            entry["child"] = child.pk
        elif earlier is not None:
            entry["same_as"] = earlier.row
        elif namesake := _undated_namesake(row, seen_people):
            result.warnings.append(
                RowError(
                    row.row,
                    "(row)",
                    f"The same name as row {namesake.row}, with no date of birth on one of "
                    "them: a new record is made; if it is the same child, merge the two records "
                    "after the import",
                )
            )
        _remember(row, is_open, seen_people)
        result.valid.append(entry)
        if len(result.shown) < SHOWN_ROWS:
            result.shown.append(_shown(row, reasons))
    return result


def _episodes(child_ids: list[int]) -> dict[tuple[int, date], str]:
    """(child, referral date) -> case reference, for every case of these children."""
    found: dict[tuple[int, date], str] = {}
    for start in range(0, len(child_ids), 900):
        for child_id, referred, reference in Case.objects.filter(
            child_id__in=child_ids[start : start + 900]
        ).values_list("child_id", "referral_date", "reference"):
            found.setdefault((child_id, referred), reference)
    return found


def _likely_child(row: RegisterRow, by: User) -> tuple[Child | None, list[Any]]:
    """The child already held this row most likely is, by the matching scorer, if at least
    LIKELY, with the preview's line for it: the message and the scorer's reasons."""
    if not row.surname:
        return None, []
    found = candidates_for(
        user=by,
        forenames=row.forenames,
        surname=row.surname,
        date_of_birth=row.date_of_birth,
        upn=row.upn,
        postcode=row.postcode,
        sex=row.sex,
        limit=1,
        min_probability=LIKELY,
    )
    if not found:
        return None, []
    best = found[0]
    message = f"{best.explanation.percent} likely {best.child.full_name}, already held"
    return best.child, [row.row, message, [c.sentence for c in best.explanation.comparisons]]


def _shown(row: RegisterRow, reasons: dict[str, MissingReason]) -> list[Any]:
    return [
        row.row,
        row.legacy_reference,
        f"{row.forenames} {row.surname}".strip(),
        row.date_of_birth.isoformat() if row.date_of_birth else "",
        row.referral_date.isoformat(),
        reasons[row.reason_code].label,
        Status(row.status).label,
        len(row.notes),
    ]


def migration_check(
    *, batch: RegisterMigration, by: User, progress: Progress | None = None
) -> RegisterMigration:
    """Read every row of the kept file with the confirmed mappings, then check and store them
    (`migration_check_rows`), with no transaction open while reading and checking."""
    require_team(by)
    try:
        sheet = kept_sheet(batch)
    except UnreadableRegister as error:
        mark_unreadable(batch, error)
        raise MigrationRefused(str(error)) from error
    rows, errors, warnings = read_rows(
        sheet,
        mapping_from_json(batch.column_mapping),
        _codes(batch),
        today=timezone.localdate(),
        defaults=_defaults(batch),
    )
    return migration_check_rows(
        batch=batch,
        rows=rows,
        errors=errors,
        warnings=[RowError(w.row, w.field, w.message) for w in warnings],
        total=len(sheet.rows),
        by=by,
        progress=progress,
    )


def migration_check_rows(
    *,
    batch: RegisterMigration,
    rows: list[RegisterRow],
    errors: list[RowError],
    warnings: list[RowError],
    total: int,
    by: User,
    progress: Progress | None = None,
) -> RegisterMigration:
    """Check rows already read (with the reading layer's own errors and warnings) against the
    register and store the result on the batch. Only a batch waiting for its check is stored:
    a second run that finds it checked by the first is refused and changes nothing."""
    require_team(by)
    checked = check_rows(rows=rows, by=by, imported_from=batch.original_name, progress=progress)
    errors = sorted([*errors, *checked.errors], key=lambda e: (e.row, e.field))
    warnings = sorted([*warnings, *checked.warnings], key=lambda e: (e.row, e.field))
    bad = {e.row for e in errors}
    valid = [v for v in checked.valid if v["row"]["row"] not in bad]
    kept = {v["row"]["row"] for v in valid}
    for v in valid:
        if v.get("same_as") not in (None, *kept):
            del v["same_as"]  # the row that would have made the child is not imported
    summary = {
        "rows": total,
        "valid": len(valid),
        "bad_rows": len(bad),
        "known_rows": len(checked.known),
        "errors": [[e.row, e.field, e.message] for e in errors],
        "warnings": [[w.row, w.field, w.message] for w in warnings],
        "duplicates": checked.duplicates,
        "known": checked.known,
        "shown": [s for s in checked.shown if s[0] not in bad],
        "new_children": sum(1 for v in valid if "child" not in v and "same_as" not in v),
        "open_cases": sum(1 for v in valid if v["row"]["status"] != Status.CLOSED),
    }
    with transaction.atomic():  # short: the result is written, nothing is read here
        current = (
            RegisterMigration.objects.select_for_update().defer("stored_rows").get(pk=batch.pk)
        )
        if current.state not in (MigrationState.MAPPED, MigrationState.CHECKING):
            raise MigrationRefused(_too_late(current))
        with acting_as(by):
            current.summary = summary
            current.state = MigrationState.CHECKED
            current.progress_done = current.progress_total = total
            current.save(update_fields=["summary", "state", "progress_done", "progress_total"])
        # The rows are the kept file's content: not copied into the audit log.
        RegisterMigration.objects.filter(pk=batch.pk).update(stored_rows={"rows": valid})
        MigrationKnownChild.objects.filter(batch=current).delete()
        MigrationKnownChild.objects.bulk_create(
            MigrationKnownChild(batch=current, row=row, child=child)
            for row, child in sorted(checked.children.items())
        )
    return current


def migration_check_request(*, batch: RegisterMigration, by: User) -> RegisterMigration:
    """The "check" button: a file of up to CMETRACK_IMPORT_BACKGROUND_ROWS rows is checked now;
    a larger one is handed to a task (state queued) and its page shows the progress."""
    require_team(by)
    if not batch.codes_confirmed:
        raise MigrationRefused("Confirm what the codes in the file mean first.")
    rows = int(batch.sheet.get("rows", 0))
    later = rows > settings.CMETRACK_IMPORT_BACKGROUND_ROWS
    claimed = RegisterMigration.objects.filter(
        pk=batch.pk, state__in=[MigrationState.MAPPED, MigrationState.CHECKED]
    ).update(
        state=MigrationState.QUEUED if later else MigrationState.MAPPED,
        progress_done=0,
        progress_total=rows,
    )
    if not claimed:
        raise MigrationRefused(_too_late(batch))
    if not later:
        return migration_check(batch=batch, by=by)
    from ..tasks import check_migration  # the tasks module imports this one

    check_migration.enqueue(batch.pk, by.pk)
    return RegisterMigration.objects.defer("stored_rows").get(pk=batch.pk)


def run_queued_check(*, batch_id: int, user_id: int) -> None:
    """The background check (`tasks.check_migration`): safe to run again or twice at once."""
    claimed = RegisterMigration.objects.filter(pk=batch_id, state=MigrationState.QUEUED).update(
        state=MigrationState.CHECKING, progress_done=0
    )
    if not claimed:
        return
    batch = RegisterMigration.objects.defer("stored_rows").get(pk=batch_id)
    by = User.objects.get(pk=user_id)
    try:
        migration_check(
            batch=batch, by=by, progress=ProgressSaver(batch_id, MigrationState.CHECKING)
        )
    except Exception:
        logger.exception("Checking register migration %s failed", batch.public_id)
        RegisterMigration.objects.filter(pk=batch_id, state=MigrationState.CHECKING).update(
            state=MigrationState.FAILED
        )
        raise
