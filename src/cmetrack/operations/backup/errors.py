"""What can go wrong with a backup, each with a message an operator can act on."""


class BackupError(Exception):
    """A backup could not be made, checked or restored; the message says why and what to do."""


class BackupKeyError(BackupError):
    """No key, a malformed key, or a file made with a different key."""


class BackupDamaged(BackupError):
    """The file is not what was written: changed, damaged or cut short."""


class BackupIncompatible(BackupError):
    """A sound backup that this installation must not restore (other database, newer code)."""
