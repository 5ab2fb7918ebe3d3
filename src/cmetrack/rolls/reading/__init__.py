"""School-roll files (census-style CSV/XLSX, full CTF XML, MIS exports) read into one shape,
without Django models: `parse_roll(data) -> ParsedRoll`, or `UnreadableFile`."""

from cmetrack.core.row_errors import RowError
from cmetrack.referrals.importing.rows import RowWarning, UnreadableFile
from cmetrack.referrals.importing.tabular import DEFAULT_MAX_ROWS, DEFAULT_MAX_UNZIPPED_BYTES

from .parse import DEFAULT_MAX_BYTES, parse_roll
from .shape import FILE_ROW, ParsedRoll, RollFormat, RollPupil

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_UNZIPPED_BYTES",
    "FILE_ROW",
    "ParsedRoll",
    "RollFormat",
    "RollPupil",
    "RowError",
    "RowWarning",
    "UnreadableFile",
    "parse_roll",
]
