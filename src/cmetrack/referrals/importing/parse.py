"""One entry point for every bulk-import file: `parse_return_file`.

The kind of file is decided by its content, never its name (a renamed file is common and a
lying extension is an attack): XML (a CTF) starts with `<` after any BOM and whitespace, an XLSX
is a zip (`PK\\x03\\x04`), anything else is read as CSV. Whatever the bytes, the function
returns a `ParsedFile` or raises `UnreadableFile` with a message for the user.
"""

from __future__ import annotations

import codecs
from datetime import date

from cmetrack.referrals.importing.ctf import parse_ctf
from cmetrack.referrals.importing.rows import ParsedFile, UnreadableFile
from cmetrack.referrals.importing.tabular import parse_csv, parse_xlsx

DEFAULT_MAX_BYTES = 20_000_000

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc): a compound document
_XML_WHITESPACE = b" \t\r\n"


def _looks_like_xml(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # A UTF-16 XML file (expat reads it); a UTF-16 CSV is refused by the CSV reader.
        encoding = "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        head = head[2:].decode(encoding, errors="ignore").encode("utf-8", errors="ignore")
    return head.lstrip(_XML_WHITESPACE).startswith(b"<")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def parse_return_file(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: date | None = None,
    home_la: str | None = None,
) -> ParsedFile:
    """Parse and validate a CSV, XLSX or CTF return file; never touches the database.

    `filename` is only used in messages. `today` is the day for "date of birth in the future"
    and the school-age check when a row has no deletion/start date (default: today).
    `home_la`, when given (e.g. "343"), refuses a CTF addressed to another authority.
    Raises UnreadableFile for a file that cannot be read as a whole.
    """
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"{filename or 'The file'} is {_megabytes(len(data))}, over the "
            f"{_megabytes(max_bytes)} limit. Split it into smaller files."
        )
    if not data.strip():
        raise UnreadableFile(f"{filename or 'The file'} is empty.")
    day = today or date.today()
    if data.startswith(_ZIP):
        return parse_xlsx(data, today=day)
    if data.startswith(_OLE2):
        raise UnreadableFile(
            "This is an old-style Excel .xls file, which is not accepted. Save it as .xlsx or as "
            "'CSV UTF-8 (comma delimited)' and upload it again."
        )
    if _looks_like_xml(data):
        return parse_ctf(data, today=day, home_la=home_la)
    return parse_csv(data, today=day)
