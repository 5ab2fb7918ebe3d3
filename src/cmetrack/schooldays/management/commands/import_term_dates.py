"""`cmetrack import-term-dates FILE.csv`: load the authority's (or one school's) term dates.

The format is described in `cmetrack.core.term_dates_csv`. Each academic year in the file
replaces that year's dates; a file with any error writes nothing.

Exit codes, for cron jobs and scripts: 0 imported (or dry run clean), 1 rejected because rows
have errors (nothing written), 2 nothing could be tried (no such file, unknown school).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cmetrack.core.school_calendar import academic_year_label
from cmetrack.core.term_dates_csv import bundled_term_dates_text
from cmetrack.schooldays.services import TermDatesImportResult, term_dates_import
from cmetrack.schools.selectors import school_get_by_urn

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2
# A few years of term dates is a few kilobytes; anything this big is the wrong file.
MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Load term dates, INSET days and closures from CSV (academic_year,kind,name,start,end). "
        "Each academic year in the file replaces that year's dates. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("file", nargs="?", help="the term-dates CSV file")
        source.add_argument(
            "--bundled",
            action="store_true",
            help="load the illustrative (made-up) dates shipped with cmetrack, for a demo",
        )
        parser.add_argument(
            "--school",
            metavar="URN",
            help="the dates are this school's own (its INSET days, or an academy's terms)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change, without writing anything",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = None
        if options["school"]:
            school = school_get_by_urn(options["school"])
            if school is None:
                self.stderr.write(
                    f"No school with URN {options['school']} in the register: "
                    "import the schools first (cmetrack import-schools)."
                )
                raise SystemExit(EXIT_UNREADABLE)

        if options["bundled"]:
            source = "the bundled example term dates"
            data = bundled_term_dates_text().encode("utf-8")
        else:
            path = Path(options["file"])
            source = str(path)
            data = self._read(path)

        result = term_dates_import(
            data=data,
            by=None,
            # The example dates never overwrite a year that already has dates (real ones, maybe).
            replace_years=not options["bundled"],
            school=school,
            commit=not options["dry_run"],
        )
        for error in result.errors:
            self.stderr.write(str(error))
        if result.rejected:
            self.stderr.write(
                f"Rejected {source}: {len(result.errors)} error(s), so nothing was written. "
                "Fix them and run again."
            )
            raise SystemExit(EXIT_REJECTED)

        scope = f" for {school}" if school is not None else ""
        if options["dry_run"]:
            self.stdout.write(f"Dry run of {source}{scope}, nothing written: {self._what(result)}")
        else:
            self.stdout.write(f"Imported {source}{scope}: {self._what(result)}")

    def _read(self, path: Path) -> bytes:
        try:
            if path.stat().st_size > MAX_BYTES:
                self.stderr.write(
                    f"Cannot import {path}: it is larger than {MAX_BYTES // 1024} KB, "
                    "too big to be a term-dates file."
                )
                raise SystemExit(EXIT_UNREADABLE)
            return path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Cannot import {path}: {exc.strerror or exc}")
            raise SystemExit(EXIT_UNREADABLE) from None

    @staticmethod
    def _what(result: TermDatesImportResult) -> str:
        def labels(years: tuple[int, ...]) -> str:
            return ", ".join(academic_year_label(year) for year in years)

        parts = []
        if result.years_changed:
            parts.append(f"replaced {labels(result.years_changed)}")
        if result.years_unchanged:
            parts.append(f"already up to date {labels(result.years_unchanged)}")
        if result.years_skipped:
            parts.append(f"left as they were {labels(result.years_skipped)}")
        parts.append(
            f"{result.created} rows added, {result.deleted} removed, {result.unchanged} unchanged."
        )
        return "; ".join(parts)
