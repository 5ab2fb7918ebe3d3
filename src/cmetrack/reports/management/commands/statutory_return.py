"""`cmetrack statutory-return --census-date YYYY-MM-DD --out FILE.csv`: the termly return.

The same figures as the managers' page (/reports/cme-return/), for the whole authority, in the
page's CSV layout. The file is written whole or not at all: a bad date or path writes nothing.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmetrack.reports.csv_layout import write_return
from cmetrack.reports.forms import CensusForm
from cmetrack.reports.selectors import authority_return


def _census(text: str) -> date:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--census-date {text!r} is not a date: give it as YYYY-MM-DD, for example 2026-10-01"
        ) from None
    form = CensusForm({"census": text})
    if not form.is_valid():
        raise CommandError(" ".join(str(m) for m in form.errors["census"]))
    census: date = form.cleaned_data["census"]
    return census


def _target(text: str) -> Path:
    path = Path(text).expanduser()
    if path.is_dir():
        raise CommandError(f"--out {text} is a folder: give the name of the CSV file to write")
    if not path.parent.is_dir():
        raise CommandError(f"--out {text}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise CommandError(f"--out {text}: cannot write in the folder {path.parent}")
    return path


class Command(BaseCommand):
    help = "Write the DfE termly return for a census date as CSV (figures as on that date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--census-date", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--out", required=True, metavar="FILE.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        census = _census(options["census_date"])
        path = _target(options["out"])
        report = authority_return(census)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".return-", suffix=".csv")
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
                write_return(report, out)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for section in report.sections:
            self.stdout.write(f"{section.title}: {section.total}")
        self.stdout.write(f"Code lists: {report.term_label}. Written to {path}")
