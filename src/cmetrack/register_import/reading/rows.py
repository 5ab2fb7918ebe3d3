"""A sheet, with the confirmed column and code mappings, -> `RegisterRow`s, row errors and
warnings. Every row is checked and every problem collected; nothing here raises for a cell.

The rule of the house: the authority never refuses information about a child. A row with a
name and anything to find the child by (a date of birth, UPN, address, postcode, parent or
last school) is imported, its gaps flagged as warnings. Errors are kept for rows no case can
be made from: no name, no (or an unreadable, or a future) referral date, a date that is not a
date, closed before it was referred, closed with no outcome or no date, a coded value nobody
mapped, the same legacy reference twice, the same child (name and date of birth) open twice.

The child's particulars go through the web form's own check (`referrals.checks.check_child`),
so a name or date of birth is judged here as it is everywhere; the UPN is the exception: a bad
one is dropped with a warning rather than kept unverified, as the contract says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn, validate_upn
from cmetrack.referrals.checks import Verdict
from cmetrack.referrals.checks.child import (
    check_child,
    check_event_date,
    check_not_future,
    warn_outside_school_age,
)
from cmetrack.referrals.importing.values import clean_text, parse_sex
from cmetrack.referrals.particulars import ChildParticulars

from ..rows import (
    CODED_FIELDS,
    CodeMapping,
    ColumnMapping,
    RegisterField,
    RegisterRow,
    RowError,
    RowWarning,
    Sheet,
)
from .codes import code_key
from .dates import parse_register_date
from .names import split_name
from .notes import split_notes

F = RegisterField
CLOSED = "closed"  # cases.status.Status.CLOSED, which reading may not import

# The check's field names -> this import's (RegisterField values).
_FIELD_FOR = {"forenames": F.FORENAMES, "address_line_1": F.ADDRESS}

_FINDING = (
    F.ADDRESS,
    F.POSTCODE,
    F.PARENT_NAME,
    F.PARENT_PHONE,
    F.LAST_SCHOOL,
)


class _Reader:
    """Reads rows one at a time, remembering what it needs to spot duplicates in the file."""

    def __init__(
        self,
        mapping: ColumnMapping,
        codes: CodeMapping,
        today: date,
        defaults: Mapping[RegisterField, str],
    ) -> None:
        self.mapping = mapping
        self.codes = codes
        self.today = today
        self.defaults = defaults
        self.rows: list[RegisterRow] = []
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self._references: dict[str, int] = {}
        self._open: dict[tuple[str, str, date], int] = {}

    def read(self, number: int, cells: tuple[str, ...]) -> None:
        errors: list[RowError] = []
        warnings: list[RowWarning] = []

        def cell(field: RegisterField) -> str:
            index = self.mapping.get(field)
            return cells[index] if index is not None and 0 <= index < len(cells) else ""

        def text(field: RegisterField) -> str:
            return clean_text(cell(field))

        def error(field: str, message: str) -> None:
            errors.append(RowError(number, str(field), message))

        def warn(field: str, message: str) -> None:
            warnings.append(RowWarning(number, str(field), message))

        def when(field: RegisterField, *, birth: bool = False) -> date | None:
            try:
                return parse_register_date(cell(field), today=self.today, birth=birth)
            except ValueError as exc:
                error(field, str(exc))
                return None

        # --- the child ---------------------------------------------------------------------
        forenames, middle, surname = text(F.FORENAMES), text(F.MIDDLE_NAMES), text(F.SURNAME)
        if not (forenames or surname) and F.FULL_NAME in self.mapping:
            split = split_name(cell(F.FULL_NAME))
            forenames, surname = split.forenames, split.surname
            middle = middle or split.middle_names
        dob = when(F.DATE_OF_BIRTH, birth=True)
        sex = _sex(text(F.SEX), warn)
        address, postcode, town = text(F.ADDRESS), text(F.POSTCODE), text(F.TOWN)
        verdict = Verdict()
        child = ChildParticulars(forenames, surname, dob, sex, "", address, town, postcode)
        check_child(child, verdict, today=self.today, need_dob=False)
        if not forenames and not surname:
            name_field = F.FULL_NAME if F.FULL_NAME in self.mapping else F.SURNAME
            error(name_field, "is blank: a case needs at least the child's name")
            verdict.errors = [p for p in verdict.errors if p.field not in ("forenames", "surname")]
        upn = _upn(text(F.UPN), warn)
        if dob is None and F.DATE_OF_BIRTH not in _fields(errors):
            warn(F.DATE_OF_BIRTH, "is blank: the child is imported without a date of birth")
        if dob is None and not upn and not any(text(f) for f in _FINDING):
            error(
                F.DATE_OF_BIRTH,
                "is blank and so is everything else to find the child by (UPN, address, "
                "postcode, parent, last school): add at least one",
            )

        # --- the case ----------------------------------------------------------------------
        referral = when(F.REFERRAL_DATE)
        if referral is None and F.REFERRAL_DATE not in _fields(errors):
            error(F.REFERRAL_DATE, "is blank: every case needs the date it was referred")
        check_event_date(verdict, referral, F.REFERRAL_DATE, "The referral date", today=self.today)
        if not verdict.has_error(F.REFERRAL_DATE):  # one message for a date a year ahead
            check_not_future(
                verdict, referral, F.REFERRAL_DATE, "The referral date", today=self.today
            )
        closed_on = when(F.CLOSED_ON)
        check_not_future(verdict, closed_on, F.CLOSED_ON, "The date closed", today=self.today)
        last_attended = when(F.DATE_LAST_ATTENDED)
        check_not_future(
            verdict, last_attended, F.DATE_LAST_ATTENDED, "The date last attended",
            today=self.today,
        )  # fmt: skip
        if referral is not None and closed_on is not None and closed_on < referral:
            error(
                F.CLOSED_ON,
                f"{closed_on:%d/%m/%Y} is before the referral date {referral:%d/%m/%Y}",
            )
        if referral is not None and dob is not None:
            warn_outside_school_age(verdict, dob, referral)

        coded = {field: self._code(field, cell(field), error) for field in CODED_FIELDS}
        status, outcome = coded[F.STATUS], coded[F.OUTCOME]
        if status != CLOSED and (outcome or closed_on):
            what = "an outcome" if outcome else "a date closed"
            given = clean_text(cell(F.STATUS))
            said = f"is {given!r}" if given else "is blank"
            warn(F.STATUS, f"{said} but the row has {what}: imported as closed")
            status = CLOSED
        if status == CLOSED:
            outcome = outcome or self.defaults.get(F.OUTCOME, "")
            if not outcome and F.OUTCOME not in _fields(errors):
                error(F.OUTCOME, "is blank: a closed case needs its outcome")
            if closed_on is None and F.CLOSED_ON not in _fields(errors):
                error(F.CLOSED_ON, "is blank: a closed case needs the date it closed")
        for field in (F.REASON, F.REFERRAL_SOURCE, F.STATUS):
            value = status if field == F.STATUS else coded[field]
            if not value and field not in _fields(errors):
                error(field, "is blank and no default was chosen in the code-mapping step")

        # --- the check's verdict, in this import's field names ------------------------------
        failed = set(_fields(errors))
        for problem in verdict.errors:
            name = _FIELD_FOR.get(problem.field, problem.field)
            if name not in failed:  # a cell that did not parse keeps that one message
                error(name, problem.message)
        for problem in verdict.warnings:
            warn(_FIELD_FOR.get(problem.field, problem.field), problem.message)
        if verdict.has_error("date_of_birth"):
            dob = None

        # --- duplicates within the file ----------------------------------------------------
        reference = text(F.LEGACY_REFERENCE)
        if reference:
            earlier = self._references.setdefault(reference.casefold(), number)
            if earlier != number:
                error(F.LEGACY_REFERENCE, f"{reference!r} is also the reference of row {earlier}")
        if not errors and status != CLOSED and dob is not None:
            key = (forenames.casefold(), surname.casefold(), dob)
            earlier = self._open.setdefault(key, number)
            if earlier != number:
                error(
                    F.STATUS,
                    f"is open, and row {earlier} is an open case for the same child (name and "
                    "date of birth): close one of them in the file",
                )

        self.errors.extend(errors)
        self.warnings.extend(warnings)
        if errors or referral is None:
            return
        self.rows.append(
            RegisterRow(
                row=number,
                forenames=forenames,
                surname=surname,
                date_of_birth=dob,
                referral_date=referral,
                reason_code=coded[F.REASON],
                referral_source=coded[F.REFERRAL_SOURCE],
                status=status,
                legacy_reference=reference,
                middle_names=middle,
                sex=sex,
                upn=upn,
                address_line_1=address,
                address_line_2=text(F.ADDRESS_LINE_2),
                town=town,
                postcode=normalise_postcode(postcode) or postcode,
                parent_name=text(F.PARENT_NAME),
                parent_phone=text(F.PARENT_PHONE),
                referrer=text(F.REFERRER),
                outcome=outcome if status == CLOSED else "",
                closed_on=closed_on if status == CLOSED else None,
                risk_level=coded[F.RISK] or "medium",
                last_school=text(F.LAST_SCHOOL),
                date_last_attended=last_attended,
                notes=split_notes(cell(F.NOTES), today=self.today),
            )
        )

    def _code(self, field: RegisterField, value: str, error: Callable[[str, str], None]) -> str:
        """The cmetrack code for a coded cell: the mapped code, or the default for a blank (or
        a value mapped to "no value"); an unmapped value is an error. OUTCOME's default is
        applied only to closed cases, by the caller."""
        default = "" if field == F.OUTCOME else self.defaults.get(field, "")
        key = code_key(value)
        if not key:
            return default
        mapped = self.codes.get(field, {})
        if key not in mapped:
            error(
                field,
                f"{clean_text(value)!r} is not mapped to one of cmetrack's codes: map it in the "
                "code-mapping step",
            )
            return ""
        return mapped[key] or default


def _fields(errors: list[RowError]) -> list[str]:
    return [e.field for e in errors]


def _sex(value: str, warn: Callable[[str, str], None]) -> str:
    try:
        return parse_sex(value)
    except ValueError as exc:
        warn(F.SEX, f"{exc}; imported as U (unknown)")
        return "U"


def _upn(value: str, warn: Callable[[str, str], None]) -> str:
    if not value:
        return ""
    problems = validate_upn(value)
    if problems:
        warn(
            F.UPN,
            f"{value!r} is not a valid UPN, so it is left out: "
            + "; ".join(p.message for p in problems),
        )
        return ""
    return normalise_upn(value)


def read_rows(
    sheet: Sheet,
    mapping: ColumnMapping,
    codes: CodeMapping,
    *,
    today: date,
    defaults: Mapping[RegisterField, str] | None = None,
) -> tuple[list[RegisterRow], list[RowError], list[RowWarning]]:
    """Every row of the sheet read with the confirmed mappings: the rows a case can be made
    from, and every error and warning (a row with an error gives no RegisterRow)."""
    reader = _Reader(mapping, codes, today, defaults or {})
    for number, cells in zip(sheet.row_numbers, sheet.rows, strict=True):
        reader.read(number, cells)
    return reader.rows, reader.errors, reader.warnings
