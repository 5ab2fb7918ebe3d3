"""Writes to the schools register. Keyword-only, one transaction each.

The register is public reference data from GIAS (no personal data), so it is not audit-logged
field by field; the import reports what it created and changed instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from django.db import transaction
from django.db.models import CharField
from django.utils import timezone

from .gias import DEFAULT_MAX_BYTES, FIELD_COLUMNS, GiasSchool, RowError, parse_gias
from .models import School

# Fields the GIAS import owns, in model order. `updated_at` is stamped separately.
GIAS_FIELDS = (
    "urn",
    "la_code",
    "la_name",
    "establishment_number",
    "name",
    "phase",
    "type_name",
    "status_name",
    "is_open",
    "postcode",
)

# Rows per INSERT / UPDATE statement. Django shrinks these further where the database needs it
# (SQLite's 999-parameter limit); they only bound the size of one statement.
_CREATE_BATCH = 1000
_UPDATE_BATCH = 500
# URNs per `urn IN (...)` lookup: below SQLite's classic 999-parameter limit, and far below
# PostgreSQL's 65,535, so one code path works on both.
_LOOKUP_BATCH = 900

_T = TypeVar("_T")


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or (dry run, rejected file) would have done for the valid rows."""

    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    error_rows: int
    rows_read: int
    # True when the file had row errors and valid_only was not given: nothing was written.
    rejected: bool
    # True only when changes were actually written (not a dry run, not rejected).
    committed: bool


def _batched(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    # itertools.batched arrives in Python 3.12; we support 3.11.
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _length_errors(schools: list[GiasSchool]) -> list[RowError]:
    """Values longer than their column. SQLite would store them anyway and PostgreSQL would fail
    the whole transaction at the end, so check up front against the model's own limits."""
    limits: dict[str, int] = {}
    for name in GIAS_FIELDS:
        field = School._meta.get_field(name)
        if isinstance(field, CharField) and field.max_length:
            limits[name] = field.max_length
    errors: list[RowError] = []
    for school in schools:
        for name, limit in limits.items():
            value = getattr(school, name)
            if len(value) > limit:
                errors.append(
                    RowError(
                        school.row,
                        FIELD_COLUMNS[name],
                        f"is {len(value)} characters long; the most we can store is {limit}",
                    )
                )
    return errors


def _existing_by_urn(urns: list[str]) -> dict[str, School]:
    # A few set-based queries, never one per row: a full extract is ~50,000 rows.
    existing: dict[str, School] = {}
    for chunk in _batched(urns, _LOOKUP_BATCH):
        for school in School.objects.filter(urn__in=chunk):
            existing[school.urn] = school
    return existing


def schools_import_gias(
    *,
    path_or_file: str | os.PathLike[str] | bytes | BinaryIO,
    commit: bool,
    valid_only: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportResult:
    """Create or refresh schools from a GIAS extract, matched on URN.

    - Raises GiasFileError when the file cannot be read at all.
    - A file with row errors writes nothing, unless `valid_only` asks for the valid rows.
    - `commit=False` is the preview: the same checks and counts, no writes.
    - Idempotent: a second run of the same file changes nothing and counts every row unchanged.
    - Schools missing from the file are left alone: an extract may be filtered to one area, and
      cases keep pointing at closed schools (GIAS keeps closed schools with status "Closed").
    - A column absent from the file leaves that field as it is rather than blanking it.
    """
    parsed = parse_gias(path_or_file, max_bytes=max_bytes)
    errors = parsed.errors + _length_errors(parsed.schools)
    errors.sort(key=lambda error: error.row)
    bad_rows = {error.row for error in errors}
    rows = [school for school in parsed.schools if school.row not in bad_rows]
    rejected = bool(errors) and not valid_only
    fields = [name for name in GIAS_FIELDS if name in parsed.fields_present]
    # The URN is the match key, so it never changes on an existing row.
    write_fields = [name for name in fields if name != "urn"] + ["updated_at"]

    with transaction.atomic():
        existing = _existing_by_urn([school.urn for school in rows])
        now = timezone.now()
        to_create: list[School] = []
        to_update: list[School] = []
        unchanged = 0
        for row in rows:
            school = existing.get(row.urn)
            if school is None:
                # Fields the file does not carry take the model defaults.
                to_create.append(School(**{name: getattr(row, name) for name in fields}))
                continue
            changed = [name for name in fields if getattr(school, name) != getattr(row, name)]
            if not changed:
                # Untouched, so updated_at keeps meaning "last changed", not "last imported".
                unchanged += 1
                continue
            for name in changed:
                setattr(school, name, getattr(row, name))
            school.updated_at = now
            to_update.append(school)

        committed = commit and not rejected
        if committed:
            # update_conflicts turns a race with a second import of the same file (both saw the
            # URN as new) into an update instead of an IntegrityError that loses the whole run.
            School.objects.bulk_create(
                to_create,
                batch_size=_CREATE_BATCH,
                update_conflicts=True,
                unique_fields=["urn"],
                update_fields=write_fields,
            )
            School.objects.bulk_update(to_update, write_fields, batch_size=_UPDATE_BATCH)

    return ImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        errors=errors,
        error_rows=len(bad_rows),
        rows_read=parsed.rows_read,
        rejected=rejected,
        committed=committed,
    )
