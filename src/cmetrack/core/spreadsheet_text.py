"""Text that a spreadsheet will show and never run: every export and preview uses this."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (tab and CR because some spreadsheets strip them and then see the next character).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula (exports, previews).

    '=HYPERLINK(...)' -> "'=HYPERLINK(...)". Everything else is returned unchanged.
    """
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
