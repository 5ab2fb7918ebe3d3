"""Encrypted backup and restore of the whole database, with the database's own tools, and of
the files directory (MEDIA_ROOT: letters, attachments) in the same file.

`cmetrack backup FILE`, `cmetrack backup --verify FILE` and `cmetrack restore FILE` call these;
docs/backup.md describes the file format and the restore drill.
"""

from .archive import VENDOR_NAMES, BackupChecked, BackupMade, backup_create, backup_verify
from .errors import BackupDamaged, BackupError, BackupIncompatible, BackupKeyError
from .interrupt import sigterm_exits
from .keys import key_generate
from .restore import Restored, RestorePlan, backup_restore

__all__ = [
    "VENDOR_NAMES",
    "BackupChecked",
    "BackupDamaged",
    "BackupError",
    "BackupIncompatible",
    "BackupKeyError",
    "BackupMade",
    "RestorePlan",
    "Restored",
    "backup_create",
    "backup_restore",
    "backup_verify",
    "key_generate",
    "sigterm_exits",
]
