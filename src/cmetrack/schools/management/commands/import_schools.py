"""`cmetrack import-schools FILE.csv`: load or refresh the schools register from GIAS.

Exit codes, for cron jobs and scripts: 0 imported (or dry run clean), 1 rejected because rows
have errors (nothing written), 2 the file could not be read at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cmetrack.schools.gias import DEFAULT_MAX_BYTES, MB, GiasFileError
from cmetrack.schools.services import ImportResult, schools_import_gias

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Create or refresh schools from the DfE Get Information About Schools establishment CSV "
        "(edubasealldata<yyyymmdd>.csv), matched on URN. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the GIAS establishment extract (CSV)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change, without writing anything",
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="import the valid rows even when other rows have errors",
        )
        parser.add_argument(
            "--max-size-mb",
            type=int,
            default=DEFAULT_MAX_BYTES // MB,
            help="refuse files larger than this (default %(default)s MB)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        dry_run: bool = options["dry_run"]
        try:
            result = schools_import_gias(
                path_or_file=path,
                commit=not dry_run,
                valid_only=options["valid_only"],
                max_bytes=options["max_size_mb"] * MB,
            )
        except GiasFileError as exc:
            self.stderr.write(f"Cannot import {path}: {exc}")
            raise SystemExit(EXIT_UNREADABLE) from None

        for error in result.errors:
            self.stderr.write(str(error))
        self.stdout.write(self._summary(path, result))
        if result.rejected:
            self.stderr.write(
                f"Rejected: {result.error_rows} of {result.rows_read} rows have errors, so "
                "nothing was written. Fix them, or run again with --valid-only to import the "
                "other rows."
            )
            raise SystemExit(EXIT_REJECTED)

    @staticmethod
    def _summary(path: Path, result: ImportResult) -> str:
        if result.committed:
            return (
                f"Imported {path}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.error_rows} rows with errors."
            )
        preview = (
            f"{result.created} to create, {result.updated} to update, "
            f"{result.unchanged} unchanged, {result.error_rows} rows with errors"
        )
        if result.rejected:
            return f"Checked {path}, nothing written. The valid rows would give: {preview}."
        return f"Dry run of {path}, nothing written: {preview}."
