"""Writes of a register migration, step by step: upload (keep the file, read its header, guess
the columns), confirm the columns, confirm the codes, check (against the register), commit (all
or valid rows, one transaction), undo (one transaction, only while nothing it wrote has
changed). Keyword-only, `by` the acting officer; the CME team alone. Views, tasks and tests
share them.
"""

from .check import (
    LIKELY,
    migration_check,
    migration_check_request,
    migration_check_rows,
    run_queued_check,
)
from .commit import (
    commit_refusal,
    migration_commit,
    migration_commit_request,
    migration_undo,
    run_queued_commit,
    undo_refusal,
)
from .common import DEFAULT_MAX_BYTES, MigrationRefused, choices_for, require_team
from .steps import (
    FIELD_LABELS,
    NEEDS_DEFAULT,
    code_mapping_problems,
    field_label,
    migration_confirm_codes,
    migration_confirm_columns,
    migration_upload,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FIELD_LABELS",
    "LIKELY",
    "NEEDS_DEFAULT",
    "MigrationRefused",
    "choices_for",
    "code_mapping_problems",
    "commit_refusal",
    "field_label",
    "migration_check",
    "migration_check_request",
    "migration_check_rows",
    "migration_commit",
    "migration_commit_request",
    "migration_confirm_codes",
    "migration_confirm_columns",
    "migration_undo",
    "migration_upload",
    "require_team",
    "run_queued_check",
    "run_queued_commit",
    "undo_refusal",
]
