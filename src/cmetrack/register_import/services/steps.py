"""The steps before the check: keep the file and read its header (guessing which column holds
what), confirm the column mapping, confirm the code mapping and the defaults for blanks.

Each step reads the kept file again rather than storing its content twice; what the pages show
(the header, three sample values per column, each coded column's distinct values and counts) is
stored on the batch, so a page never reads the file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as

from ..models import MigrationState, RegisterMigration
from ..reading import distinct_values, guess_mapping, mapping_problems, read_sheet, suggest_codes
from ..rows import CODED_FIELDS, ColumnMapping, RegisterField, Sheet, UnreadableRegister
from .common import DEFAULT_MAX_BYTES, MigrationRefused, choices_for, require_team

SAMPLES = 3

# The coded fields a blank cell (or a value mapped to "no value") cannot be left empty in, and
# so need a default; the others are left empty (outcome: only a closed case has one).
NEEDS_DEFAULT = (RegisterField.REFERRAL_SOURCE, RegisterField.REASON, RegisterField.STATUS)


def read_kept_file(batch: RegisterMigration) -> bytes:
    batch.file.open("rb")
    try:
        return bytes(batch.file.read())
    finally:
        batch.file.close()


def kept_sheet(batch: RegisterMigration) -> Sheet:
    return read_sheet(
        read_kept_file(batch), batch.original_name, max_rows=settings.CMETRACK_IMPORT_MAX_ROWS
    )


def mapping_from_json(stored: dict[str, Any]) -> ColumnMapping:
    """The stored mapping; a field since removed from RegisterField is dropped."""
    known = {f.value for f in RegisterField}
    return {RegisterField(k): int(v) for k, v in stored.items() if k in known}


def _samples(sheet: Sheet) -> list[list[str]]:
    """Up to three non-blank values of each column, for the column-mapping page."""
    out: list[list[str]] = [[] for _ in sheet.header]
    for cells in sheet.rows:
        for i, value in enumerate(cells[: len(out)]):
            if value.strip() and len(out[i]) < SAMPLES and value not in out[i]:
                out[i].append(value[:80])
        if all(len(s) >= SAMPLES for s in out):
            break
    return out


def migration_upload(
    *, data: bytes, filename: str, by: User, max_bytes: int = DEFAULT_MAX_BYTES
) -> RegisterMigration:
    """Read the file's header and guess which column holds what, then keep the file. A file
    that cannot be read as a whole (over the size limit, not a spreadsheet, hostile, no header)
    is refused with the reason (UnreadableRegister) and nothing is written, not even the file."""
    require_team(by)
    if len(data) > max_bytes:
        raise UnreadableRegister(
            f"The file is {len(data) / 1_000_000:.1f} MB, over the "
            f"{max_bytes / 1_000_000:.1f} MB limit. Split it into smaller files."
        )
    sheet = read_sheet(data, filename, max_rows=settings.CMETRACK_IMPORT_MAX_ROWS)
    batch = RegisterMigration(
        original_name=filename[:255],
        uploaded_by=by,
        organisation=by.organisation,
        state=MigrationState.READ,
        sheet={
            "header": list(sheet.header),
            "samples": _samples(sheet),
            "rows": len(sheet.rows),
            "source": sheet.source,
        },
        column_mapping={f.value: i for f, i in guess_mapping(sheet.header).items()},
        progress_total=len(sheet.rows),
    )
    with transaction.atomic(), acting_as(by):
        batch.file.save("upload", ContentFile(data), save=False)
        batch.save()
    return batch


def mark_unreadable(batch: RegisterMigration, error: UnreadableRegister) -> None:
    """The kept file read at upload no longer reads (storage damaged, a reader changed): the
    batch stops there, with the reason on its page. Not audited: a state, not a change."""
    RegisterMigration.objects.filter(pk=batch.pk).update(
        state=MigrationState.UNREADABLE, summary={"unreadable": str(error)}
    )


def _editable(batch: RegisterMigration, *states: MigrationState) -> RegisterMigration:
    """The batch locked, if it is still at a step the officer may change."""
    locked = RegisterMigration.objects.select_for_update().defer("stored_rows").get(pk=batch.pk)
    if locked.state not in states:
        raise MigrationRefused(_too_late(locked))
    return locked


def _too_late(batch: RegisterMigration) -> str:
    match batch.state:
        case MigrationState.COMMITTED | MigrationState.COMMITTING:
            return "This register has already been imported."
        case MigrationState.UNDONE:
            return "This migration was undone: upload the file again to import it."
        case MigrationState.UNREADABLE:
            return str(batch.summary.get("unreadable", "The file cannot be read."))
        case MigrationState.QUEUED | MigrationState.CHECKING:
            return "The file is being checked: wait for the check to finish."
    return "This step cannot be changed now."


# The steps at which the officer may go back and change the column or code mapping.
MAPPABLE = (
    MigrationState.READ,
    MigrationState.MAPPED,
    MigrationState.CHECKED,
    MigrationState.FAILED,
)


def migration_confirm_columns(
    *, batch: RegisterMigration, mapping: ColumnMapping, by: User
) -> RegisterMigration:
    """The officer's column mapping: refused as `reading.mapping_problems` refuses it (all the
    problems in one message). Then each coded column's distinct values are counted and a code
    suggested for each, for the code-mapping step."""
    require_team(by)
    header = tuple(batch.sheet.get("header", ()))
    problems = mapping_problems(mapping, header)
    if problems:
        raise MigrationRefused(" ".join(problems))
    try:
        sheet = kept_sheet(batch)
    except UnreadableRegister as error:
        mark_unreadable(batch, error)
        raise MigrationRefused(str(error)) from error
    distinct: dict[str, list[list[Any]]] = {}
    suggested: dict[str, dict[str, str]] = {}
    for field, counts in distinct_values(sheet, mapping).items():
        distinct[field.value] = [[value, count] for value, count in counts]
        suggested[field.value] = suggest_codes(
            field, [value for value, _ in counts], choices_for(field)
        )
    # How many rows leave each mapped coded column blank: only then must the officer say what
    # a blank means (a column with none needs no default).
    blanks = {
        field.value: len(sheet.rows) - sum(count for _, count in distinct.get(field.value, []))
        for field in CODED_FIELDS
        if field in mapping
    }
    with transaction.atomic():
        locked = _editable(batch, *MAPPABLE)
        with acting_as(by):
            locked.column_mapping = {f.value: i for f, i in mapping.items()}
            locked.columns_confirmed = True
            locked.sheet = {**locked.sheet, "distinct": distinct, "blanks": blanks}
            # Keep what the officer chose for a value already mapped once; suggest the rest.
            old = locked.code_mapping if locked.codes_confirmed else {}
            locked.code_mapping = {
                f: {**codes, **{v: c for v, c in old.get(f, {}).items() if v in codes}}
                for f, codes in suggested.items()
            }
            locked.codes_confirmed = False
            locked.state = MigrationState.MAPPED
            locked.summary = {}
            locked.save(
                update_fields=[
                    "column_mapping",
                    "columns_confirmed",
                    "sheet",
                    "code_mapping",
                    "codes_confirmed",
                    "state",
                    "summary",
                ]
            )
        RegisterMigration.objects.filter(pk=batch.pk).update(stored_rows={})
    return locked


def code_mapping_problems(
    *, batch: RegisterMigration, codes: dict[str, dict[str, str]], defaults: dict[str, str]
) -> list[str]:
    """Every distinct value of every coded column must be mapped onto one of cmetrack's codes
    or marked "no value" (""); every default must be one of the list's codes."""
    problems: list[str] = []
    distinct = batch.sheet.get("distinct", {})
    for field in CODED_FIELDS:
        allowed = {c.code for c in choices_for(field)}
        given = codes.get(field.value, {})
        for value, _count in distinct.get(field.value, []):
            if value not in given:
                problems.append(f"{field_label(field)}: choose what '{value}' means.")
            elif given[value] and given[value] not in allowed:
                problems.append(f"{field_label(field)}: '{given[value]}' is not on the list.")
        default = defaults.get(field.value, "")
        if default and default not in allowed:
            problems.append(f"{field_label(field)}: the default is not on the list.")
        if field in NEEDS_DEFAULT and not default and default_needed(batch, field, given):
            problems.append(f"{field_label(field)}: choose the value for a blank cell.")
    return problems


def default_needed(
    batch: RegisterMigration, field: RegisterField, given: dict[str, str] | None = None
) -> bool:
    """Whether some row would be left without a value of a required coded field unless the
    officer chooses one: the column is not in the file, some of its cells are blank, or a value
    in it is mapped to "no value". (Before the column step, assume so.)"""
    blanks = batch.sheet.get("blanks")
    if blanks is None or field.value not in blanks:
        return True
    return blanks[field.value] > 0 or any(code == "" for code in (given or {}).values())


FIELD_LABELS: dict[RegisterField, str] = {
    RegisterField.LEGACY_REFERENCE: "Reference on the old register",
    RegisterField.FULL_NAME: "Full name (one column)",
    RegisterField.FORENAMES: "First names",
    RegisterField.MIDDLE_NAMES: "Middle names",
    RegisterField.SURNAME: "Last name",
    RegisterField.DATE_OF_BIRTH: "Date of birth",
    RegisterField.SEX: "Sex",
    RegisterField.UPN: "UPN",
    RegisterField.ADDRESS: "Address (or its first line)",
    RegisterField.ADDRESS_LINE_2: "Address line 2",
    RegisterField.TOWN: "Town",
    RegisterField.POSTCODE: "Postcode",
    RegisterField.PARENT_NAME: "Parent or carer's name",
    RegisterField.PARENT_PHONE: "Parent or carer's phone",
    RegisterField.REFERRAL_DATE: "Referral date",
    RegisterField.REFERRAL_SOURCE: "Referral source",
    RegisterField.REFERRER: "Who referred",
    RegisterField.REASON: "Reason missing education",
    RegisterField.STATUS: "Status",
    RegisterField.OUTCOME: "Outcome (closed cases)",
    RegisterField.CLOSED_ON: "Date closed",
    RegisterField.RISK: "Risk level",
    RegisterField.LAST_SCHOOL: "Last school (URN or name)",
    RegisterField.DATE_LAST_ATTENDED: "Date last attended",
    RegisterField.NOTES: "History notes",
}


def field_label(field: RegisterField) -> str:
    return FIELD_LABELS[field]


def migration_confirm_codes(
    *,
    batch: RegisterMigration,
    codes: dict[str, dict[str, str]],
    defaults: dict[str, str],
    by: User,
) -> RegisterMigration:
    """The officer's code mapping and defaults, refused with every problem at once."""
    require_team(by)
    problems = code_mapping_problems(batch=batch, codes=codes, defaults=defaults)
    if problems:
        raise MigrationRefused(" ".join(problems))
    with transaction.atomic():
        locked = _editable(batch, *MAPPABLE)
        if not locked.columns_confirmed:
            raise MigrationRefused("Confirm the columns first.")
        with acting_as(by):
            locked.code_mapping = {f: dict(v) for f, v in codes.items()}
            locked.code_defaults = {f: d for f, d in defaults.items() if d}
            locked.codes_confirmed = True
            locked.state = MigrationState.MAPPED
            locked.summary = {}
            locked.save(
                update_fields=[
                    "code_mapping",
                    "code_defaults",
                    "codes_confirmed",
                    "state",
                    "summary",
                ]
            )
    return locked
