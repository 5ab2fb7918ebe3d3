"""A census-style or MIS roll (CSV or XLSX) -> `ParsedRoll`. Pure.

The two differ only in their headings (`census.HEADINGS`, `mis.HEADINGS`). Unless the caller
says which it is, a header with a census-only heading (NCyearActual, EnrolStatus) whose name
columns the census table reads is a census file; anything else is an MIS export. A file with
no legal name column (surname or forename) among its first rows is refused as a whole: it is
not a roll.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping, Sequence
from contextlib import closing

from cmetrack.referrals.importing.rows import UnreadableFile
from cmetrack.referrals.importing.values import clean_text

from . import census, mis
from .collect import RollCollector
from .columns import LEGAL_NAME_FIELDS, Headings, heading_key, map_columns, name_keys
from .fields import laestab_from_parts
from .shape import ParsedRoll, RollFormat
from .sheet import HEADER_SEARCH, read_rows

TABLES: Mapping[RollFormat, Headings] = {
    RollFormat.CENSUS: census.HEADINGS,
    RollFormat.MIS: mis.HEADINGS,
}
SCHOOL_COLUMNS = ("school_urn", "school_laestab", "school_la", "school_estab", "school")

_URN = re.compile(r"\d{6}", re.ASCII)
_CODE_LIKE = re.compile(r"[\d\s/\-]+", re.ASCII)


def tabular_format(header: Sequence[object]) -> RollFormat:
    keys = {heading_key(cell) for cell in header}
    if keys & census.MARKERS and map_columns(header, census.HEADINGS).has(*LEGAL_NAME_FIELDS):
        return RollFormat.CENSUS
    return RollFormat.MIS


def _no_header(formats: Sequence[RollFormat]) -> UnreadableFile:
    examples = "Surname, Forename" if RollFormat.CENSUS in formats else "Legal Surname, Surname"
    return UnreadableFile(
        f"No header row was found: none of the first {HEADER_SEARCH} rows has a column for the "
        f"pupil's name (such as {examples}). This does not look like a school roll; the column "
        "headings must be on one row above the pupils."
    )


def _school(raw: MutableMapping[str, object]) -> tuple[str, bool]:
    """Fold a row's school columns into school_urn / school_laestab; returns the school's
    name (if the row gives one) and whether the row named a school at all."""
    name = clean_text(raw.pop("school_name", ""))
    la, estab = raw.pop("school_la", None), raw.pop("school_estab", None)
    school = clean_text(raw.pop("school", ""))
    if not clean_text(raw.get("school_laestab")) and (combined := laestab_from_parts(la, estab)):
        raw["school_laestab"] = combined
    if school:
        if not _CODE_LIKE.fullmatch(school):
            name = name or school  # "School" holding the school's name
        elif _URN.fullmatch(school) or not ("/" in school or len(school) >= 7):
            raw.setdefault("school_urn", school)  # a bad one is warned about by the parser
        else:
            raw.setdefault("school_laestab", school)
    named = bool(name or clean_text(raw.get("school_urn")) or clean_text(raw.get("school_laestab")))
    return name, named


def read_tabular(
    data: bytes,
    *,
    xlsx: bool,
    roll_format: RollFormat | None,
    max_rows: int,
    max_unzipped: int,
) -> ParsedRoll:
    formats = [roll_format] if roll_format else list(TABLES)
    keys = frozenset(key for f in formats for key in name_keys(TABLES[f]))

    def is_header(cells: Sequence[object]) -> bool:
        return any(heading_key(cell) in keys for cell in cells)

    rows = read_rows(
        data, xlsx=xlsx, is_header=is_header, max_rows=max_rows, max_unzipped=max_unzipped
    )
    with closing(rows):
        first = next(rows, None)
        if first is None:
            raise _no_header(formats)
        header = first[1]
        chosen = roll_format or tabular_format(header)
        # The header was found by a legal name column, so the chosen table reads one: census
        # only when its own names are there, and MIS reads every census name heading.
        columns = map_columns(header, TABLES[chosen])
        per_row_school = columns.has(*SCHOOL_COLUMNS)
        collector = RollCollector(max_rows=max_rows)
        for number, cells in rows:
            raw = columns.raw(cells)
            name, named = _school(raw)
            collector.add(
                number, raw, school_expected=per_row_school and not named, school_name=name
            )
    return collector.result(chosen)
