"""Raw row -> `RollPupil`, with the row's warnings, for every format alike.

A reader (census, MIS, CTF) finds each row's raw cells by its own names and hands them here
keyed by `RollPupil` field name. Here every field is parsed; a field that does not parse is
blanked and becomes a warning, so the pupil is never lost; only a row with no name and no UPN
is an error. Duplicate UPNs within the file are warned about (DfE rule 1520), except the one
pupil being on two schools' rolls as main and subsidiary dual registrations, which is expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from cmetrack.core.row_errors import RowError
from cmetrack.referrals.importing.rows import RowWarning
from cmetrack.referrals.importing.tabular import too_many_rows
from cmetrack.referrals.importing.values import clean_text

from . import fields
from .shape import ParsedRoll, RollFormat, RollPupil

NAME_FIELDS = ("surname", "forename", "middle_names", "preferred_surname", "preferred_forename")
TEXT_FIELDS = (*NAME_FIELDS, "address")

# Fields parsed to text, and to dates; a ValueError blanks the field and becomes the warning.
TEXT_PARSERS: dict[str, Callable[[object], str]] = {
    "upn": fields.parse_upn,
    "former_upn": fields.parse_upn,
    "sex": fields.parse_roll_sex,
    "year_group": fields.parse_year_group,
    "enrolment_status": fields.parse_enrolment_status,
    "postcode": fields.parse_postcode,
    "school_urn": fields.parse_urn,
    "school_laestab": fields.parse_laestab,
}
DATE_FIELDS = ("date_of_birth", "entry_date", "leaving_date")
# A row's warnings are listed in the order of the pupil's fields, as a preview shows them.
_FIELD_ORDER = {name: n for n, name in enumerate(RollPupil.__dataclass_fields__)}

DUAL_REGISTRATIONS = frozenset({"M", "S"})
NO_NAME_NO_UPN = "has no name and no UPN, so it cannot be a pupil on the roll"
NO_SCHOOL = "names no school (no URN and no DfE number): the pupil's school is not known"


@dataclass(frozen=True)
class _Seen:
    position: int
    school: tuple[str, str]
    status: str


class RollCollector:
    """Collects one file's pupils, errors and warnings, row by row, in file order."""

    def __init__(self, *, max_rows: int) -> None:
        self.max_rows = max_rows
        self.count = 0
        self.pupils: list[RollPupil] = []
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self._upns: dict[str, _Seen] = {}
        self._school_names: set[str] = set()

    def add(
        self,
        position: int,
        raw: Mapping[str, object],
        *,
        school_expected: bool = False,
        school_name: str = "",
    ) -> None:
        """One row (field name -> raw cell). `school_expected`: the file names a school per
        row, so a row naming none is warned about."""
        self.count += 1
        if self.count > self.max_rows:
            raise too_many_rows(self.max_rows)
        warnings: list[RowWarning] = []

        def blanked(name: str, problem: ValueError) -> None:
            warnings.append(RowWarning(position, name, f"{problem} (left blank)"))

        text = {name: clean_text(raw.get(name)) for name in TEXT_FIELDS}
        for name, parse in TEXT_PARSERS.items():
            try:
                text[name] = parse(raw.get(name))
            except ValueError as problem:
                text[name] = ""
                blanked(name, problem)
        dates: dict[str, date | None] = {}
        for name in DATE_FIELDS:
            try:
                dates[name] = fields.parse_date(raw.get(name))
            except ValueError as problem:
                dates[name] = None
                blanked(name, problem)
        if not any(text[name] for name in (*NAME_FIELDS, "upn", "former_upn")):
            # Its warnings go with it; a UPN that did not pass is said in the error itself.
            why = "".join(f"; {w.field} {w.message}" for w in warnings if w.field.endswith("upn"))
            self.errors.append(RowError(position, "(row)", NO_NAME_NO_UPN + why))
            return
        warnings.sort(key=lambda w: _FIELD_ORDER.get(w.field, 0))
        pupil = RollPupil(
            position=position,
            upn=text["upn"],
            former_upn=text["former_upn"],
            surname=text["surname"],
            forename=text["forename"],
            middle_names=text["middle_names"],
            preferred_surname=text["preferred_surname"],
            preferred_forename=text["preferred_forename"],
            date_of_birth=dates["date_of_birth"],
            sex=text["sex"],
            year_group=text["year_group"],
            entry_date=dates["entry_date"],
            leaving_date=dates["leaving_date"],
            enrolment_status=text["enrolment_status"],
            postcode=text["postcode"],
            address=text["address"],
            school_urn=text["school_urn"],
            school_laestab=text["school_laestab"],
        )
        warnings.extend(self._checks(pupil, school_expected))
        self.warnings.extend(warnings)
        self.pupils.append(pupil)
        self._school_names.add(clean_text(school_name))

    def _checks(self, pupil: RollPupil, school_expected: bool) -> list[RowWarning]:
        row = pupil.position
        out: list[RowWarning] = []
        if (
            pupil.entry_date is not None
            and pupil.leaving_date is not None
            and pupil.leaving_date < pupil.entry_date
        ):
            out.append(
                RowWarning(
                    row,
                    "leaving_date",
                    f"{pupil.leaving_date:%d/%m/%Y} is before the entry date "
                    f"{pupil.entry_date:%d/%m/%Y}; both kept",
                )
            )
        school = (pupil.school_urn, pupil.school_laestab)
        if school_expected and school == ("", ""):
            out.append(RowWarning(row, "school_urn", NO_SCHOOL))
        if pupil.upn:
            earlier = self._upns.setdefault(pupil.upn, _Seen(row, school, pupil.enrolment_status))
            if earlier.position != row:
                message = _duplicate(earlier, school, pupil.enrolment_status)
                if message:
                    out.append(RowWarning(row, "upn", message))
        return out

    def result(
        self,
        roll_format: RollFormat,
        *,
        school_urn: str | None = None,
        school_laestab: str | None = None,
        school_name: str | None = None,
        as_of: date | None = None,
    ) -> ParsedRoll:
        """The parsed roll. The file's school is what the caller says (a CTF header), else the
        one school every pupil's row names, else blank."""
        schools = {(p.school_urn, p.school_laestab) for p in self.pupils}
        urn, laestab = schools.pop() if len(schools) == 1 else ("", "")
        names = self._school_names
        return ParsedRoll(
            format=roll_format,
            school_urn=urn if school_urn is None else school_urn,
            school_laestab=laestab if school_laestab is None else school_laestab,
            school_name=(names.pop() if len(names) == 1 else "")
            if school_name is None
            else school_name,
            as_of=as_of,
            pupils=tuple(self.pupils),
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
        )


def _duplicate(earlier: _Seen, school: tuple[str, str], status: str) -> str:
    if earlier.school == school:
        return (
            f"the same UPN as row {earlier.position}, at the same school (DfE rule 1520); "
            "both rows kept"
        )
    if earlier.status in DUAL_REGISTRATIONS and status in DUAL_REGISTRATIONS:
        return ""  # dual registration: on two rolls by design
    return (
        f"the same UPN as row {earlier.position}, on another school's roll, and the rows are "
        "not a main and subsidiary dual registration; both rows kept"
    )
