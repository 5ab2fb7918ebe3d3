"""Small pure helpers shared by the import parsers, previews and exports.

Each field parser takes the raw cell (text from a CSV/CTF, or whatever openpyxl gives for an
XLSX cell) and returns the clean value or raises `ValueError` with a message that completes the
sentence "<field> ...", ready to become a `RowError`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from cmetrack.core.spreadsheet_text import FORMULA_PREFIXES, neutralise_formula

__all__ = ["FORMULA_PREFIXES", "neutralise_formula"]  # re-exported: the importers' old home

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
# A spreadsheet date cell typed as text often picks up a midnight time: "2025-09-01 00:00:00".
_MIDNIGHT = re.compile(r"[ T]00:00(?::00(?:\.0+)?)?$", re.ASCII)
_URN = re.compile(r"\d{6}", re.ASCII)
# "a", "A", "(a)", "( a )": the letters of regulation 9(1) grounds.
_GROUND = re.compile(r"\(?\s*([a-o])\s*\)?", re.ASCII | re.IGNORECASE)

DATE_FORMAT_HELP = "must be a date written YYYY-MM-DD or DD/MM/YYYY"

SEX_WORDS = {
    "f": "F",
    "female": "F",
    "m": "M",
    "male": "M",
    "u": "U",
    "unknown": "U",
    "not known": "U",
    "": "U",
}

GROUNDS = "abcdefghijklmno"


def cell_text(value: object) -> str:
    """Any cell value as text: XLSX numbers lose a spurious '.0', dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def clean_text(value: object) -> str:
    """Trim, drop control characters, collapse runs of whitespace, NFC-normalise.

    NFC so that "é" typed as one character and as "e" + combining accent compare equal.
    """
    text = cell_text(value)
    if not text:
        return ""
    if not text.isprintable():  # the common case skips the per-character pass
        text = "".join(" " if c.isspace() else c for c in text if c.isspace() or _printable(c))
    text = " ".join(text.split())
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _printable(ch: str) -> bool:
    # Cc control, Cf format (zero-width and bidi overrides), Cs surrogates, Co private use.
    return unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co"}


def parse_date(value: object) -> date | None:
    """A date cell: None when blank; ValueError when not a date or not a real date (31/02)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if not text:
        return None
    text = _MIDNIGHT.sub("", text)
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(f"{DATE_FORMAT_HELP}, not {text!r}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def parse_urn(value: object) -> str:
    """A school URN: 6 digits ('' when blank). Whether the school exists is the service's job."""
    text = clean_text(value)
    if text and not _URN.fullmatch(text):
        raise ValueError(f"must be a 6-digit URN, not {text!r}")
    return text


def parse_sex(value: object) -> str:
    """F, M or U; also the words female/male/unknown. Blank means U (unknown)."""
    text = clean_text(value).casefold()
    try:
        return SEX_WORDS[text]
    except KeyError:
        raise ValueError(f"must be F, M or U (female, male, unknown), not {text!r}") from None


def parse_ground(value: object) -> str:
    """A regulation 9(1) ground letter a-o, lower case ('' when blank); '(a)' and 'A' allowed."""
    text = clean_text(value)
    if not text:
        return ""
    match = _GROUND.fullmatch(text)
    if not match:
        raise ValueError(f"must be a regulation 9(1) ground letter from a to o, not {text!r}")
    return match.group(1).lower()
