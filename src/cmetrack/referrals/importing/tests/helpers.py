"""Builders for synthetic return files (no real children: names and UPNs are made up)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS

DATA = Path(__file__).parent / "data"

# Valid synthetic UPNs (check letters computed by cmetrack.core.upn).
UPN_1 = "W343200024001"
UPN_2 = "K343200024002"
UPN_WRONG_LETTER = "A343200024001"

GOOD_DELETION: dict[str, str] = {
    "return_type": "deletion",
    "school_urn": "104512",
    "upn": UPN_1,
    "surname": "Example",
    "forename": "Amelia",
    "date_of_birth": "2015-04-12",
    "sex": "F",
    "address_line_1": "14 Acacia Avenue",
    "town": "Bootle",
    "postcode": "L20 7AE",
    "parent_name": "Sam Example",
    "parent_phone": "07700 900123",
    "ground": "f",
    "deletion_date": "2026-10-20",
}

GOOD_NEW_PUPIL: dict[str, str] = {
    "return_type": "new_pupil",
    "school_urn": "104512",
    "upn": UPN_2,
    "surname": "Sample",
    "forename": "Noah",
    "date_of_birth": "2014-09-03",
    "sex": "M",
    "start_date": "2026-10-01",
}


def csv_text(*rows: Mapping[str, str], columns: tuple[str, ...] = TEMPLATE_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def csv_bytes(*rows: Mapping[str, str], encoding: str = "utf-8") -> bytes:
    return csv_text(*rows).encode(encoding)


def row_with(base: Mapping[str, str], **changes: str) -> dict[str, str]:
    return {**base, **changes}
