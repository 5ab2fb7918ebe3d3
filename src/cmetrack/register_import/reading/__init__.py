"""Reading an existing CME register: bytes -> `Sheet` -> mappings -> `RegisterRow`s.

Pure Python, no database (ARCHITECTURE.md: imports are two-phase): the services pass in the
lists of codes as `Choice`s, and check the rows against the register before writing them.
"""

from .codes import code_key, distinct_values, suggest_codes
from .columns import guess_mapping, heading_key, mapping_problems
from .dates import parse_register_date
from .names import SplitName, split_name
from .notes import split_notes
from .rows import read_rows
from .sheet import read_sheet

__all__ = [
    "SplitName",
    "code_key",
    "distinct_values",
    "guess_mapping",
    "heading_key",
    "mapping_problems",
    "parse_register_date",
    "read_rows",
    "read_sheet",
    "split_name",
    "split_notes",
    "suggest_codes",
]
