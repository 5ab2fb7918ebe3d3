"""Column headings -> fields, for the census and MIS tables. Pure.

Headings are compared by their letters and digits only, case-folded: "Date of Birth",
"DATE_OF_BIRTH" and "DateOfBirth" are all "dateofbirth", "Post Code" and "PostCode" both
"postcode". A format's table gives, per field, the heading keys it accepts in order of
preference; each row takes the first of those columns that is not blank in it (so a
"FormerSurname" column stands in for a missing preferred surname row by row). Unknown columns
are ignored. Fields in JOINED take every one of their columns, in file order, joined by ", "
(an address spread over "Address Line 1", "Town", ...).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cmetrack.referrals.importing.values import clean_text

Headings = Mapping[str, tuple[str, ...]]  # field -> heading keys, most preferred first

JOINED = frozenset({"address"})

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def heading_key(value: object) -> str:
    return _NOT_ALNUM.sub("", clean_text(value).casefold())


# A roll names its pupils: a file with no column for either legal name is not one (a column of
# preferred names alone would make every pupil a nickname).
LEGAL_NAME_FIELDS = ("surname", "forename")


def name_keys(headings: Headings) -> frozenset[str]:
    """The heading keys of the legal name columns: what marks a row as the header."""
    return frozenset(key for field in LEGAL_NAME_FIELDS for key in headings.get(field, ()))


@dataclass(frozen=True)
class Columns:
    indices: Mapping[str, tuple[int, ...]]  # field -> column positions, in the order tried

    def has(self, *names: str) -> bool:
        return any(self.indices.get(name) for name in names)

    def raw(self, cells: Sequence[object]) -> dict[str, object]:
        """Field -> the raw cell (an XLSX date stays a date), for the fields the file has."""
        width = len(cells)
        out: dict[str, object] = {}
        for name, positions in self.indices.items():
            if name in JOINED:
                parts = (clean_text(cells[i]) for i in positions if i < width)
                out[name] = ", ".join(part for part in parts if part)
                continue
            for i in positions:
                if i < width and clean_text(cells[i]):
                    out[name] = cells[i]
                    break
        return out


def map_columns(header: Sequence[object], headings: Headings) -> Columns:
    keys = [heading_key(cell) for cell in header]
    indices: dict[str, tuple[int, ...]] = {}
    for name, accepted in headings.items():
        if name in JOINED:
            found = tuple(i for i, key in enumerate(keys) if key in accepted)
        else:
            found = tuple(i for wanted in accepted for i, key in enumerate(keys) if key == wanted)
        if found:
            indices[name] = found
    return Columns(indices)
