"""`cmetrack serve` (`make serve`): the production-like way to run cmetrack on one machine.

Applies the migrations, collects the static files, runs Django's deployment checks, then starts
the background worker and gunicorn (sized by cmetrack/gunicorn_config.py) side by side, and
stops both when either stops or when it is told to stop. A larger site runs the two as
separate services instead (docs/administrator-guide.md has systemd units).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

WORKER = [sys.executable, "-m", "cmetrack.cli", "worker", "--no-reload"]
WEB = [
    sys.executable,
    "-m",
    "gunicorn",
    "-c",
    "python:cmetrack.gunicorn_config",
    "cmetrack.wsgi:application",
]


class Command(BaseCommand):
    help = "Migrate, collect static files, then run gunicorn and the worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve pages only; a worker runs elsewhere."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError(
                "cmetrack serve runs the production settings: "
                "DJANGO_SETTINGS_MODULE=cmetrack.settings.production (make serve sets it)."
            )
        if connection.vendor != "postgresql":
            self.stderr.write(
                "Warning: serving on SQLite. Production runs on PostgreSQL (DATABASE_URL)."
            )
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("check", deploy=True, fail_level="ERROR")
        connection.close()  # the children open their own

        # Fixed argument lists of our own: no input from anyone reaches these commands.
        children = [] if options["no_worker"] else [subprocess.Popen(WORKER)]  # noqa: S603 # nosec B603
        children.append(subprocess.Popen(WEB))  # noqa: S603 # nosec B603
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=35)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args for child in children if child.returncode not in (0, -15, None)]
        if failed and not stopping:
            raise CommandError(f"Stopped because a process exited: {failed}")
