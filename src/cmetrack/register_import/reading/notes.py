"""A notes cell -> `HistoryNote`s: a new note on each line that starts with a date (in any
format `dates` reads), or after a semicolon or bar followed by a date (registers kept in one
spreadsheet line often write "07/10/2025 Letter sent; 09/10/2025 Visit"); the lines after it, up
to the next dated one, are part of it. A cell with no dated line is one undated note."""

from __future__ import annotations

import re
from datetime import date

from cmetrack.referrals.importing.values import clean_text

from ..rows import HistoryNote
from .dates import parse_register_date

# A date at the start of a line: numeric, or "3 Sep 2024" / "03-Sep-24", then a separator.
_LEADING_DATE = re.compile(
    r"\s*(\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}(?:st|nd|rd|th)?[\s\-][A-Za-z]{3,9}[\s\-]\d{2,4})"
    r"(?:\s*[:\-\u2013]\s*|\s+|$)(.*)",  # a colon, hyphen or en dash after it
    re.DOTALL,
)
# Where a dated entry may start inside a line: a semicolon or bar, then what looks like a date.
_INLINE_BREAK = re.compile(
    r"\s*[;|]\s*(?=\d{1,4}[/.\-]\d|\d{1,2}(?:st|nd|rd|th)?[\s\-][A-Za-z]{3,9}[\s\-]\d)"
)


def split_notes(value: str, *, today: date) -> tuple[HistoryNote, ...]:
    """The notes in a cell, in the order written."""
    notes: list[tuple[date | None, list[str]]] = []
    for text in _entries(value, today):
        on, rest = _dated(text, today)
        if on is not None:
            notes.append((on, [rest] if rest else []))
        elif notes:
            notes[-1][1].append(text)
        else:
            notes.append((None, [text]))
    return tuple(HistoryNote(" ".join(lines), on) for on, lines in notes if lines)


def _entries(value: str, today: date) -> list[str]:
    """The cell's non-blank lines, each cut again where a dated entry follows a semicolon or a
    bar (a piece that only looks like a date stays joined to the text before it)."""
    out: list[str] = []
    for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        pieces = _INLINE_BREAK.split(line)
        current = pieces[0]
        for piece in pieces[1:]:
            if _dated(clean_text(piece), today)[0] is not None:
                out.append(current)
                current = piece
            else:
                current = f"{current}; {piece}"
        out.append(current)
    return [text for line in out if (text := clean_text(line))]


def _dated(line: str, today: date) -> tuple[date | None, str]:
    match = _LEADING_DATE.match(line)
    if not match:
        return None, line
    try:
        on = parse_register_date(match.group(1), today=today)
    except ValueError:
        return None, line  # "12/13/2024 ..." is text that happens to start with numbers
    return on, match.group(2).strip()
