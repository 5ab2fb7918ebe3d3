"""One field of a roll row, raw cell -> normalised value. Pure.

Each parser takes the raw cell (CSV/CTF text, or what openpyxl gives for an XLSX cell) and
returns the value the `RollPupil` holds, or raises `ValueError` with a message that completes
"<field> ...", as `referrals.importing.values` does; the caller blanks the field and keeps the
message as a warning. The dates, sex and URN parsers are the return importer's own.
"""

from __future__ import annotations

import re

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn, validate_upn
from cmetrack.referrals.importing.values import clean_text, parse_date, parse_sex, parse_urn

__all__ = [
    "parse_date",
    "parse_enrolment_status",
    "parse_laestab",
    "parse_postcode",
    "parse_roll_sex",
    "parse_upn",
    "parse_urn",
    "parse_year_group",
]

# DfE number: LA number (3 digits) + establishment number (4), written 3432000 or 343/2000.
_LAESTAB = re.compile(r"(\d{3})\s*[/\-]?\s*(\d{4})", re.ASCII)

# NC year words, as the alphanumerics (and "." "-") of the upper-cased cell ("Year R" -> "YEARR").
_RECEPTION = frozenset({"R", "REC", "RECEPTION", "YR", "YEARR", "YEARREC", "YEARRECEPTION", "0"})
_NURSERY = {"N1": "N1", "N2": "N2", "NURSERY1": "N1", "NURSERY2": "N2"}
_NOT_NC = frozenset({"X", "NCX", "YEARX", "NOTFOLLOWINGNC", "NOTFOLLOWINGTHENC"})
# "Year 7", "Yr 07", "Y7", "NC Year 7", "7", "7.0" (a number saved from a spreadsheet).
# A "-" is kept in the key so that "-1" (a nursery age as a number) is not read as Year 1.
_NUMBERED = re.compile(r"(?:(?:NCYEAR|NC|YEAR|YR|Y)-?)?0*(\d{1,2})(?:\.0+)?", re.ASCII)
HIGHEST_NC_YEAR = 14
_DROPPED = re.compile(r"[^0-9A-Z.\-]+", re.ASCII)

# Census EnrolStatus codes, and the words MIS reports use for them ("Main - Dual Registration").
ENROLMENT_CODES = frozenset("CMSGO")
# Tried in order: a phrase naming "subsidiary" or "main" also says "dual", so those go first.
_ENROLMENT_WORDS = (
    ("subsidiary", "S"),
    ("main", "M"),
    ("guest", "G"),
    ("single", "C"),
    ("current", "C"),
    ("providing", "O"),
    ("other", "O"),
)


def parse_upn(value: object) -> str:
    """A UPN, normalised ('' when blank); ValueError unless it passes the DfE's rules."""
    given = clean_text(value)
    upn = normalise_upn(given)
    if not upn:
        return ""
    problems = validate_upn(upn)
    if problems:
        reasons = "; ".join(p.message for p in problems)
        raise ValueError(f"{given!r} is not a valid UPN ({reasons})")
    return upn


def parse_roll_sex(value: object) -> str:
    """F or M; blank or unknown ("U", "not known") is ''."""
    sex = parse_sex(value)
    return "" if sex == "U" else sex


def parse_year_group(value: object) -> str:
    """A national curriculum year: "N1", "N2", "R", "1".."14", "X", '' when blank."""
    text = clean_text(value)
    if not text:
        return ""
    key = _DROPPED.sub("", text.upper())
    if key in _RECEPTION:
        return "R"
    if key in _NURSERY:
        return _NURSERY[key]
    if key in _NOT_NC:
        return "X"
    match = _NUMBERED.fullmatch(key)
    if match and 1 <= int(match.group(1)) <= HIGHEST_NC_YEAR:
        return str(int(match.group(1)))
    raise ValueError(f"is not a national curriculum year (N1, N2, R, 1 to 14 or X): {text!r}")


def parse_enrolment_status(value: object) -> str:
    """A census EnrolStatus code C, M, S, G or O, from the code or an MIS's words."""
    text = clean_text(value)
    if not text:
        return ""
    if text.upper() in ENROLMENT_CODES:
        return text.upper()
    words = text.casefold()
    for word, code in _ENROLMENT_WORDS:
        if word in words:
            return code
    raise ValueError(
        "is not an enrolment status (C current, M main dual, S subsidiary dual, G guest, "
        f"O other): {text!r}"
    )


def parse_laestab(value: object) -> str:
    """A DfE number (LAESTAB) as 7 digits; '123/4567' and '1234567' are both accepted."""
    text = clean_text(value)
    if not text:
        return ""
    match = _LAESTAB.fullmatch(text)
    if not match:
        raise ValueError(f"must be a DfE number, 7 digits or written 123/4567, not {text!r}")
    return match.group(1) + match.group(2)


def parse_postcode(value: object) -> str:
    """A UK postcode, normalised ("L20 7AE"); ValueError when it is not one (a warning)."""
    text = clean_text(value)
    if not text:
        return ""
    postcode = normalise_postcode(text)
    if postcode is None:
        raise ValueError(f"is not a UK postcode: {text!r}")
    return postcode


def laestab_from_parts(la: object, estab: object) -> str:
    """LA number and establishment number given apart (an LA extract's two columns) -> the
    7-digit DfE number, or '' unless both are plainly digits of the right length."""
    la_text, estab_text = clean_text(la), clean_text(estab)
    if re.fullmatch(r"\d{3}", la_text, re.ASCII) and re.fullmatch(r"\d{1,4}", estab_text, re.ASCII):
        return la_text + estab_text.zfill(4)
    return ""
