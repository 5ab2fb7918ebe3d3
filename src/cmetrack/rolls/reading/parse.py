"""One entry point for every school-roll file: `parse_roll`."""

from __future__ import annotations

from cmetrack.referrals.importing.rows import UnreadableFile
from cmetrack.referrals.importing.tabular import DEFAULT_MAX_ROWS, DEFAULT_MAX_UNZIPPED_BYTES

from .ctf import read_ctf
from .shape import ParsedRoll, RollFormat
from .sniff import Container, container
from .tabular import read_tabular

# Larger than a return file's cap: an LA-wide census extract or a big school's full CTF (with
# attendance and assessment history) runs to tens of megabytes. The caller passes its own.
DEFAULT_MAX_BYTES = 60_000_000


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def parse_roll(
    data: bytes,
    *,
    filename: str = "",
    format: RollFormat | None = None,  # shadows the builtin: the agreed interface
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
) -> ParsedRoll:
    """A census-style CSV/XLSX, a full CTF XML or an MIS export CSV/XLSX -> `ParsedRoll`.

    The format is sniffed from the content unless `format` says it. `filename` is only used in
    messages. Caps: `max_bytes` (the file), `max_rows` (pupil rows, and blank rows apart),
    `max_unzipped_bytes` (what an .xlsx inflates to). Raises UnreadableFile, with a message for
    the user, for a file that cannot be read as a roll at all; nothing else for any bytes.
    """
    what = filename or "The file"
    if len(data) > max_bytes:
        raise UnreadableFile(
            f"{what} is {_megabytes(len(data))}, over the {_megabytes(max_bytes)} limit. Split "
            "it into smaller files."
        )
    if not data.strip():
        raise UnreadableFile(f"{what} is empty.")
    kind = container(data)
    if format is RollFormat.CTF or (format is None and kind is Container.XML):
        if kind is not Container.XML:
            raise UnreadableFile(
                f"{what} was to be read as a CTF, but it is not XML (it is "
                f"{'an Excel workbook' if kind is Container.XLSX else 'text'})."
            )
        return read_ctf(data, max_rows=max_rows)
    if kind is Container.XML:
        raise UnreadableFile(
            f"{what} was to be read as a {format.value if format else 'spreadsheet'} roll, but "
            "it is XML; a Common Transfer File is read as the CTF format."
        )
    return read_tabular(
        data,
        xlsx=kind is Container.XLSX,
        roll_format=format,
        max_rows=max_rows,
        max_unzipped=max_unzipped_bytes,
    )
