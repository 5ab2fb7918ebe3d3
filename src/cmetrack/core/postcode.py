"""UK postcode format check and normalisation (STANDARDS.md, "Postcodes").

This checks the *shape* only (BS7666), not that the postcode exists. A bad postcode is a warning,
never a block: callers keep the raw text too, and "no fixed abode" / "abroad" / "unknown" are
address states, not postcodes.
"""

from __future__ import annotations

import re

# BS7666 pattern (the one published with the GOV.UK data standards), one alternative per shape:
#   first letter: not Q, V, X          -> [A-PR-UWYZ]
#   second letter: not I, J, Z         -> [A-HK-Y]
#   A9A third char: ABCDEFGHJKPSTUW    -> [A-HJKPS-UW]
#   AA9A fourth char: ABEHMNPRVWXY     -> [ABEHMNPRV-Y]
#   inward letters: not C I K M O V    -> [ABD-HJLNP-UW-Z]
# re.ASCII and explicit [0-9] so Unicode digits never match.
_POSTCODE_RE = re.compile(
    r"""
    GIR\ 0AA                                # Girobank, the one historic exception
    |
    [A-PR-UWYZ]                             # area, first letter
    (?:
        [0-9]{1,2}                          # A9, A99
      | [A-HK-Y][0-9](?:[0-9]|[ABEHMNPRV-Y])?  # AA9, AA99, AA9A
      | [0-9][A-HJKPS-UW]                   # A9A
    )
    \ [0-9][ABD-HJLNP-UW-Z]{2}              # inward code
    """,
    re.VERBOSE | re.ASCII,
)

_INWARD_LENGTH = 3
# Shortest outward code is 2 characters (A9), longest 4 (AA9A / AA99).
_MIN_COMPACT, _MAX_COMPACT = 2 + _INWARD_LENGTH, 4 + _INWARD_LENGTH


def normalise_postcode(raw: str) -> str | None:
    """'l20  7ae' -> 'L20 7AE'; None if it cannot be made to fit the pattern.

    Only whitespace and case are fixed: we never "correct" letters to digits (O -> 0 etc.),
    because guessing could attach the wrong address to a child.
    """
    # split() also removes non-breaking and other Unicode spaces pasted from documents.
    compact = "".join(raw.split())
    # Reject non-ASCII *before* upper-casing, which can turn it into ASCII: dotless i (U+0131)
    # upper-cases to "I" and sharp s to "SS".
    if not compact.isascii() or not _MIN_COMPACT <= len(compact) <= _MAX_COMPACT:
        return None
    compact = compact.upper()
    candidate = f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"
    return candidate if _POSTCODE_RE.fullmatch(candidate) else None


def is_valid_postcode(raw: str) -> bool:
    """True if `raw` normalises to a BS7666-shaped postcode (case and spacing are forgiven)."""
    return normalise_postcode(raw) is not None
