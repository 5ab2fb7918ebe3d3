"""`cmetrack restore FILE`: replace the whole database and files directory with a backup.

The file is decrypted and verified completely before anything changes; a backup of the other
kind of database, or from newer code, is refused. Asks for confirmation unless `--yes`. Stop
the web server and the worker first (docs/backup.md, "Restore drill").
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from cmetrack.operations.backup import (
    BackupError,
    Restored,
    RestorePlan,
    backup_restore,
    sigterm_exits,
)

AFTER_RESTORE = """\
Before anyone uses the service again:
  - Run `cmetrack retention` now. Children anonymised since this backup was made are back
    with their details, and must be anonymised again.
  - The audit log is as it was when the backup was made: entries written since then are gone
    from the database. The restore itself is recorded in the service's log."""


NO_FILES = (
    "This backup holds no files: it is format version 1, made before backups included the "
    "files directory. Only the database is restored; the files in {root} are left as they are."
)


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


class Command(BaseCommand):
    help = (
        "Replace the whole database and the files directory with an encrypted backup "
        "(asks first, unless --yes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file to restore.")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the database without asking."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"] and not _interactive():
            raise CommandError(
                "A restore replaces every row of the database. Nothing was restored: run "
                "again with --yes, or from a terminal to be asked."
            )
        self.assume_yes = bool(options["yes"])
        with sigterm_exits():
            try:
                restored = backup_restore(options["file"], confirm=self._confirm)
            except (BackupError, OSError) as error:
                raise CommandError(str(error)) from error
        self._report(restored)

    def _confirm(self, plan: RestorePlan) -> bool:
        metadata = plan.header.metadata
        name = connection.settings_dict["NAME"]
        self.stdout.write(
            f"The backup is sound: made {metadata.created_at} by cmetrack "
            f"{metadata.cmetrack_version}, {plan.tables} tables."
        )
        if plan.manifest is None:
            self.stdout.write(NO_FILES.format(root=plan.files_root))
        else:
            self.stdout.write(
                f"It holds {len(plan.manifest.files):,} files "
                f"({plan.manifest.files_size:,} bytes), every one checked; they will replace "
                f"everything in {plan.files_root}."
            )
        if plan.other_sessions:
            self.stderr.write(
                f"Warning: {plan.other_sessions} other connections to this database are open. "
                "Stop the web server and the worker before restoring."
            )
        if self.assume_yes:
            return True
        what = f"the database {name}"
        if plan.manifest is not None:
            what += f" and in {plan.files_root}"
        answer = input(f"Replace everything in {what} with this backup? [y/N] ")
        return answer.strip().lower() in {"y", "yes"}

    def _report(self, restored: Restored) -> None:
        counts = restored.counts
        self.stdout.write(
            f"Restored {len(counts)} tables, {sum(counts.values()):,} rows, from the backup "
            f"made {restored.header.metadata.created_at}:"
        )
        width = max((len(table) for table in counts), default=0)
        for table, rows in counts.items():
            self.stdout.write(f"  {table:<{width}}  {rows:>9,}")
        if restored.manifest is None:
            self.stdout.write(NO_FILES.format(root=restored.files_root))
        else:
            self.stdout.write(
                f"Restored {len(restored.manifest.files):,} files "
                f"({restored.manifest.files_size:,} bytes) into {restored.files_root}."
            )
        if restored.left_behind is not None:
            self.stderr.write(
                f"The files directory as it was before the restore is still at "
                f"{restored.left_behind} (it could not be removed): delete it, it holds "
                "personal data."
            )
        if restored.migrated:
            self.stdout.write(
                f"The backup was older than this code; migrated it ({len(restored.migrated)} "
                f"migrations: {', '.join(restored.migrated)})."
            )
        self.stdout.write(AFTER_RESTORE)
