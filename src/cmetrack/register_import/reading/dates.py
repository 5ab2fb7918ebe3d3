"""Dates as registers write them, read UK day-first.

Accepted: dd/mm/yyyy and d/m/yy (also with "-" or "."), yyyy-mm-dd (also "/" or "."), "3 Sep
2024" / "3 September 2024" / "03-Sep-24" (also "Sep 3 2024"), a trailing midnight time as a
spreadsheet adds it ("2024-09-03 00:00:00"), and Excel serial numbers (days since 30/12/1899) in
a plausible range, for a date column someone reformatted as a number.

A two-digit year is read by the kind of date: a date of birth is in the past, so "03/09/24"
born is 2024 unless that year is still to come, else 1924; any other date (referral, closure) is
20yy. Unreadable or impossible dates raise ValueError naming the value.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 after Excel's 1900 leap-year bug
# Serials read as dates: 1 January 1950 to 31 December 2099. A smaller number in a date column
# is far more likely a typo than a real date (and 1950 is older than any child on a register).
SERIAL_MIN = (date(1950, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(2099, 12, 31) - EXCEL_EPOCH).days

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", re.ASCII)
_NUMERIC = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})\2(\d{1,4})", re.ASCII)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]*([a-z]+)[\s\-/.,]*(\d{2,4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?[\s,\-/.]+(\d{4})")
_SERIAL = re.compile(r"\d{5}(?:\.0+)?", re.ASCII)

HELP = "is not a date cmetrack can read (write it as DD/MM/YYYY)"


def parse_register_date(value: str, *, today: date, birth: bool = False) -> date | None:
    """The date in a cell; None when blank. `birth`: the cell is a date of birth (two-digit
    years are then in the past). ValueError, naming the value, when it cannot be read."""
    text = " ".join(value.split()).casefold()
    if not text:
        return None
    text = _TIME.sub("", text)
    if match := _NUMERIC.fullmatch(text):
        first, _, middle, last = match.groups()
        if len(first) == 4:  # year first: yyyy-mm-dd
            year, month, day = int(first), int(middle), int(last)
        elif len(last) in (2, 4) and len(first) <= 2:
            day, month, year = int(first), int(middle), _year(last, today, birth)
        else:
            raise ValueError(f"{value.strip()!r} {HELP}")
        return _real(year, month, day, value)
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day_text, month_text, year_text = match.groups()
        return _named(day_text, month_text, year_text, value, today, birth)
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        month_text, day_text, year_text = match.groups()
        return _named(day_text, month_text, year_text, value, today, birth)
    if _SERIAL.fullmatch(text):
        serial = int(float(text))
        if SERIAL_MIN <= serial <= SERIAL_MAX:
            return EXCEL_EPOCH + timedelta(days=serial)
    raise ValueError(f"{value.strip()!r} {HELP}")


def _named(
    day_text: str, month_text: str, year_text: str, value: str, today: date, birth: bool
) -> date:
    month = MONTHS.get(month_text)
    if month is None or len(year_text) == 3:
        raise ValueError(f"{value.strip()!r} {HELP}")
    return _real(_year(year_text, today, birth), month, int(day_text), value)


def _year(text: str, today: date, birth: bool) -> int:
    if len(text) != 2:
        return int(text)
    year = 2000 + int(text)
    if birth and year > today.year:
        year -= 100
    return year


def _real(year: int, month: int, day: int, value: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{value.strip()!r} is not a real date") from None
