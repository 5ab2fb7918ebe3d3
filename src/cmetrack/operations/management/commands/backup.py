"""`cmetrack backup FILE`: an encrypted backup of the whole database and files directory (daily).

`--verify FILE` decrypts and checks a backup without restoring it; `--generate-key` prints a
new key for CMETRACK_BACKUP_KEY. Exits non-zero on any failure, for cron to report.
docs/backup.md has the schedule, where to keep the key, the file format and the restore drill.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmetrack.operations.backup import (
    VENDOR_NAMES,
    BackupError,
    backup_create,
    backup_verify,
    key_generate,
    sigterm_exits,
)


class Command(BaseCommand):
    help = (
        "Back up the database and the files directory to an encrypted file "
        "(or --verify one, or --generate-key)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, help="The backup file to write.")
        parser.add_argument(
            "--verify", action="store_true", help="Decrypt and check FILE; restore nothing."
        )
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new key for CMETRACK_BACKUP_KEY."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            self.stdout.write(key_generate())
            return
        path: Path | None = options["file"]
        if path is None:
            raise CommandError("Name the backup file: cmetrack backup FILE")
        with sigterm_exits():
            try:
                if options["verify"]:
                    self._verify(path)
                else:
                    self._backup(path)
            except (BackupError, OSError) as error:
                raise CommandError(str(error)) from error

    def _backup(self, path: Path) -> None:
        made = backup_create(path)
        files = made.manifest.files
        self.stdout.write(
            f"Backed up the {VENDOR_NAMES[made.metadata.vendor]} database and "
            f"{len(files):,} files ({made.manifest.files_size:,} bytes) from {made.files_root} "
            f"to {path} ({made.size:,} bytes, sha256 {made.sha256})."
        )

    def _verify(self, path: Path) -> None:
        checked = backup_verify(path)
        metadata = checked.header.metadata
        self.stdout.write(
            f"{path} is a sound backup: made {metadata.created_at} by cmetrack "
            f"{metadata.cmetrack_version} of a {VENDOR_NAMES[metadata.vendor]} database, "
            f"{checked.tables} tables ({checked.payload_bytes:,} bytes decrypted), "
            f"sha256 {checked.sha256}."
        )
        if checked.manifest is None:
            self.stdout.write(
                "It holds no files: it is format version 1, made before backups included the "
                "files directory. Restoring it restores the database only."
            )
        else:
            self.stdout.write(
                f"Files: {len(checked.manifest.files):,} ({checked.manifest.files_size:,} "
                "bytes), every one matching its SHA-256 in the manifest."
            )
        latest = ", ".join(f"{app} {name}" for app, name in metadata.migrations.items())
        self.stdout.write(f"Migrations: {latest}")
