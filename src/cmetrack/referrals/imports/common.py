"""What every step of an import shares: its limits and states, the refusal it raises, and turning a
stored row into the data its service takes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from enum import StrEnum

from cmetrack.schools.models import School

from ..importing.rows import ReturnRow, ReturnType
from ..importing.tabular import COLUMN_FOR
from ..importing.values import neutralise_formula
from ..known import ChildKey
from ..services import (
    ChildParticulars,
    DeletionData,
    NewPupilData,
)

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
