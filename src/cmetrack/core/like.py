"""SQL LIKE with Unicode case folding, for SQLite.

SQLite's built-in LIKE folds case for ASCII letters only, so "ZOË" would not find "Zoë" and a
referral for "łukasiewicz" would create a second record of a known child. Django's iexact and
icontains lookups use LIKE on SQLite; registering this function replaces it for the connection.
PostgreSQL needs nothing: Django uses UPPER() there, which is Unicode-aware.
"""

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _compile(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape is not None and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def unicode_like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    """SQLite calls like(pattern, value[, escape]): note the pattern comes first."""
    if pattern is None or value is None:
        return None
    return _compile(pattern.casefold(), escape).fullmatch(str(value).casefold()) is not None
