"""Bulk import of deletion and new-pupil returns: upload → preview → commit (two phases).

The parsers (importing/) turn bytes into rows and never touch the database. Here each row is
checked against the database (school URNs, the route services' own refusals), in-file
duplicates are refused, and children the authority already knows are shown as likely duplicates
(to the CME team only: a school must not learn whether a child is known).

The file is parsed once, with no transaction open: the upload keeps the file, parses and checks
it, then stores the result on the batch (`summary`: errors, warnings, likely duplicates, counts,
the first rows to show; `preview`: the rows that passed, for the commit). Preview pages read
that and never parse again. The commit builds and checks every stored row again with the route
services (the database may have changed since), then writes them all in one transaction.
A file of more than `CMETRACK_IMPORT_BACKGROUND_ROWS` rows is checked, and later committed, by a
background task (`tasks.py`, run by `cmetrack db_worker`); the batch's `state` and
`progress_done`/`progress_total` are what its page shows meanwhile.
"""

from .commit import commit_refusal, import_commit, import_commit_request, run_queued_commit
from .common import (
    DEFAULT_MAX_BYTES,
    SHOWN_ROWS,
    WORKING,
    ImportRefused,
    ImportState,
    neutralise,
)
from .preview import Duplicate, Preview, import_preview, known_children_shown
from .stored import rows_to_store, stored_rows
from .upload import batch_preview, import_check, import_upload, run_queued_check

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SHOWN_ROWS",
    "WORKING",
    "Duplicate",
    "ImportRefused",
    "ImportState",
    "Preview",
    "batch_preview",
    "commit_refusal",
    "import_check",
    "import_commit",
    "import_commit_request",
    "import_preview",
    "import_upload",
    "known_children_shown",
    "neutralise",
    "rows_to_store",
    "run_queued_check",
    "run_queued_commit",
    "stored_rows",
]
