"""Unique Pupil Number (UPN) format and check letter (STANDARDS.md, "UPN").

Layout: `C LLL EEEE YY SSS` - check letter, allocating LA number, establishment number, year of
allocation, serial. A temporary UPN ends in two digits and a letter.

What is *not* checked here:
- the LA code (DfE rule 1530): that needs the current list of LA numbers, which is reference
  data, not code (python-stdnum's list is stale, so it is deliberately not used);
- duplicates (rule 1520): that needs the database.
The LA/establishment digits record who *allocated* the number, never where the child is now.
"""

from __future__ import annotations

from dataclasses import dataclass

# 23 letters: I, O and S are left out because they are easily misread as 1, 0 and 5.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
CHECK_MODULUS = len(CHECK_LETTERS)  # 23
UPN_LENGTH = 13

# Explicit ASCII digits: str.isdigit() would also accept things like "²" or Arabic-Indic digits.
_DIGITS = "0123456789"

# DfE school census validation rule numbers, echoed in messages so staff can match them up
# with the errors schools see in COLLECT.
RULE_FORMAT = 0  # not a DfE rule: empty or wrong length, nothing else can be checked
RULE_CHECK_LETTER = 1510
RULE_NOT_NUMERIC = 1540
RULE_BAD_LAST_CHARACTER = 1550


@dataclass(frozen=True, slots=True)
class UpnError:
    code: int
    message: str


def normalise_upn(value: str) -> str:
    """Remove all whitespace and upper-case: how UPNs are stored and compared."""
    return "".join(value.split()).upper()


def _char_value(char: str) -> int:
    # Digits count at face value; a temporary UPN's final letter counts as its table index.
    if char in _DIGITS:
        return _DIGITS.index(char)
    return CHECK_LETTERS.index(char)


def upn_check_letter(body12: str) -> str:
    """Check letter for characters 2-13 (weights 2-13, sum mod 23, look up in CHECK_LETTERS).

    Raises ValueError if `body12` is not 12 characters of digits, with an optional final
    table letter; use `validate_upn` for user input.
    """
    if (
        len(body12) != UPN_LENGTH - 1
        or any(c not in _DIGITS for c in body12[:-1])
        or (body12[-1] not in _DIGITS and body12[-1] not in CHECK_LETTERS)
    ):
        raise ValueError(f"not a UPN body: {body12!r}")
    total = sum(weight * _char_value(c) for weight, c in enumerate(body12, start=2))
    return CHECK_LETTERS[total % CHECK_MODULUS]


def validate_upn(value: str) -> list[UpnError]:
    """All problems with `value` (normalised first); an empty list means valid.

    The check letter is only tested once the rest is well formed, because a letter computed from
    a malformed body means nothing.
    """
    upn = normalise_upn(value)
    if len(upn) != UPN_LENGTH:
        what = "is empty" if not upn else f"has {len(upn)} characters"
        return [UpnError(RULE_FORMAT, f"UPN must be 13 characters; this one {what}")]

    errors: list[UpnError] = []
    if any(c not in _DIGITS for c in upn[1:12]):
        errors.append(
            UpnError(RULE_NOT_NUMERIC, "UPN characters 2 to 12 must be digits (DfE rule 1540)")
        )
    last = upn[12]
    if last not in _DIGITS and last not in CHECK_LETTERS:
        errors.append(
            UpnError(
                RULE_BAD_LAST_CHARACTER,
                "UPN 13th character must be a digit or a letter other than I, O or S"
                " (DfE rule 1550)",
            )
        )
    if not errors and upn[0] != upn_check_letter(upn[1:]):
        errors.append(UpnError(RULE_CHECK_LETTER, "UPN check letter is wrong (DfE rule 1510)"))
    return errors


def is_valid_upn(value: str) -> bool:
    return not validate_upn(value)


def is_temporary_upn(value: str) -> bool:
    """A valid UPN whose 13th character is a letter (issued when the permanent one is unknown).

    Once the permanent UPN is known the temporary one becomes a *former* UPN: keep it for matching.
    """
    upn = normalise_upn(value)
    return is_valid_upn(upn) and upn[-1] in CHECK_LETTERS
