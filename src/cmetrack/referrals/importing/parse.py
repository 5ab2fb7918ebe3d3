"""One entry point for every bulk-import file: `parse_return_file`.

The kind of file is decided by its content, never its name (a renamed file is common and a
lying extension is an attack): XML starts with `<` after any BOM and whitespace (a CML/CMJ
leaver/joiner file, known by its root and header, `cml.cme_kind`; else a CTF), an XLSX is a zip
(`PK\\x03\\x04`), anything else is read as CSV. Whatever the bytes, the function returns a
`ParsedFile` or raises `UnreadableFile` with a message for the user.

Caps, each refused with a message that names the limit and says to split the file: `max_bytes`
(the file as uploaded), `max_rows` (rows or pupils, counted as they are read) and
`max_unzipped_bytes` (what an .xlsx inflates to: its declared sizes before openpyxl opens it,
and what openpyxl actually inflates). `estimate_rows` says cheaply, without parsing, about how
many rows a file has (the import service sends large files to a background task).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from datetime import date

from cmetrack.referrals.importing.cml import cme_kind, parse_cme
from cmetrack.referrals.importing.ctf import parse_ctf
from cmetrack.referrals.importing.rows import ParsedFile, UnreadableFile
from cmetrack.referrals.importing.tabular import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNZIPPED_BYTES,
    Progress,
    parse_csv,
    parse_xlsx,
)

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
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
    progress: Progress | None = None,
) -> ParsedFile:
    """Parse and validate a CSV, XLSX or CTF return file; never touches the database.

    `filename` is only used in messages. `today` is the day for "date of birth in the future"
    and the school-age check when a row has no deletion/start date (default: today).
    `home_la`, when given (e.g. "343"), refuses a CTF addressed to another authority.
    `max_rows`, `max_unzipped_bytes`: the caps above. `progress(rows_read)` is called every few
    hundred rows. Raises UnreadableFile for a file that cannot be read as a whole, or is over a
    cap.
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
        return parse_xlsx(
            data, today=day, max_rows=max_rows, max_unzipped=max_unzipped_bytes, progress=progress
        )
    if data.startswith(_OLE2):
        raise UnreadableFile(
            "This is an old-style Excel .xls file, which is not accepted. Save it as .xlsx or as "
            "'CSV UTF-8 (comma delimited)' and upload it again."
        )
    if _looks_like_xml(data):
        if kind := cme_kind(data):
            return parse_cme(
                data, today=day, home_la=home_la, kind=kind, max_rows=max_rows, progress=progress
            )
        return parse_ctf(data, today=day, home_la=home_la, max_rows=max_rows, progress=progress)
    return parse_csv(data, today=day, max_rows=max_rows, progress=progress)


_XLSX_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CTF_PUPIL = re.compile(rb"<(?:\w+:)?Pupil[\s>]")


def _xlsx_rows_estimate(data: bytes, max_unzipped_bytes: int) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            sheets = sorted(
                (i for i in members if i.filename.startswith("xl/worksheets/")),
                key=lambda i: (i.filename != "xl/worksheets/sheet1.xml", i.filename),
            )
            if not sheets or sum(i.file_size for i in members) > max_unzipped_bytes:
                return 0  # the parser refuses it at once
            count, read, tail = 0, 0, b""
            with archive.open(sheets[0]) as sheet:
                while read <= max_unzipped_bytes and (chunk := sheet.read(1 << 20)):
                    read += len(chunk)
                    block = tail + chunk
                    # A tag cut in two at the end is counted with the next chunk.
                    cut = block.rfind(b"<", max(len(block) - 16, 0))
                    tail = block[cut:] if cut >= 0 else b""
                    count += len(_XLSX_ROW.findall(block, 0, cut if cut >= 0 else len(block)))
            count += len(_XLSX_ROW.findall(tail))
            return max(count - 1, 0)  # less the header
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return 0


def estimate_rows(data: bytes, *, max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES) -> int:
    """About how many rows (or pupils) the file has, without parsing it: lines of a CSV,
    `<row>` elements of the first worksheet, `<Pupil>` elements of XML. Cheap (an .xlsx is
    inflated once, in chunks, no further than the cap); 0 for anything it cannot tell."""
    if data.startswith(_ZIP):
        return _xlsx_rows_estimate(data, max_unzipped_bytes)
    if data.startswith(_OLE2):
        return 0
    if _looks_like_xml(data):
        return len(_CTF_PUPIL.findall(data))
    return max(data.count(b"\n") - 1, 0)
