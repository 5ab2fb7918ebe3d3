"""`cmetrack import-returns FILE [--commit] [--valid-only] [--school-urn URN] [--user NAME]`

Validates a CSV, XLSX or CTF return file and prints its row errors; with --commit writes it.
Exit status: 0 valid (or committed), 1 rejected (row errors), 2 unreadable input.
A commit of a large file shows a progress bar on stderr when stderr is a terminal.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper
from tqdm import tqdm

from cmetrack.accounts.models import User

from ...importing.rows import UnreadableFile
from ...imports import ImportRefused, import_commit, import_upload

PROGRESS_FROM = 500  # rows: smaller files finish before a bar is worth drawing


class _Verbatim:
    """What tqdm writes, passed through the command's stderr as it is: Django's wrapper would
    otherwise end every redraw with a newline and colour it as an error."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, style_func=lambda same: same, ending="")

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return self._wrapper.isatty()


class ProgressBar:
    """`import_commit`'s progress callback, drawn by tqdm on `stream`; tqdm leaves it off when
    the stream is not a terminal (cron, a pipe, the tests), so logs get no carriage returns."""

    def __init__(self, stream: OutputWrapper) -> None:
        self._stream = _Verbatim(stream)
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if self._bar is None:
            self._bar = tqdm(
                total=total, desc="Importing", unit="row", file=self._stream, disable=None
            )
        self._bar.update(done - self._done)
        self._done = done
        if done == total:
            self.close()

    def close(self) -> None:
        """End the bar's line, so whatever is written next starts on a line of its own."""
        if self._bar is not None:
            self._bar.close()


class Command(BaseCommand):
    help = "Validate (and with --commit, import) a deletion / new-pupil return file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="Write the rows.")
        parser.add_argument(
            "--valid-only", action="store_true", help="With --commit: skip rows with errors."
        )
        parser.add_argument("--school-urn", default="", help="Refuse rows for any other school.")
        parser.add_argument(
            "--user", default="", help="Username recorded as the importer (default: an admin)."
        )

    def _fail(self, message: str, code: int) -> None:
        self.stderr.write(message)
        sys.exit(code)

    def _user(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(role=User.Role.ADMIN).order_by("pk").first()
        )
        if user is None:
            self._fail("No such active user to record as the importer (use --user).", 2)
        assert user is not None
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            self._fail(f"Cannot read {path}: {error.strerror}", 2)
        user = self._user(options["user"])
        try:
            batch, preview = import_upload(
                data=data, filename=path.name, by=user, school_urn=options["school_urn"]
            )
        except (UnreadableFile, ImportRefused) as error:
            self._fail(str(error), 2)
        if preview is None:
            self._fail(batch.summary["unreadable"], 2)
        assert preview is not None
        for problem in preview.errors:
            self.stdout.write(str(problem))
        for warning in preview.warnings:
            self.stdout.write(f"warning: {warning}")
        for dup in preview.duplicates:
            self.stdout.write(f"row {dup.row}: {dup.message}")
        valid = len(preview.valid_rows())
        self.stdout.write(
            f"{len(preview.rows)} row(s): {valid} valid, {len(preview.bad_rows)} with errors."
        )
        if not options["commit"]:
            if preview.errors:
                sys.exit(1)
            return
        progress = ProgressBar(self.stderr)
        try:
            import_commit(batch=batch, valid_only=options["valid_only"], by=user, progress=progress)
        except ImportRefused as error:
            progress.close()
            self._fail(str(error), 1)
        self.stdout.write(f"Imported {valid} row(s).")
