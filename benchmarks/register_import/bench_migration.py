"""Time a whole register migration through the services the pages use: upload, confirm the
guessed columns, confirm the suggested codes, check, commit the valid rows, a second upload and
check of the same file (every row already known), and the undo of the first.

Printed figures, not a test (issue 16). The register is `register_import.testing.messy_register`
(a title row, a merged name column, dates in several formats, free-text codes, dated notes).

    # SQLite: a fresh file, var/benchmarks/register_import/bench.sqlite3 (rebuilt each run)
    .venv/bin/python benchmarks/register_import/bench_migration.py --rows 2000

    # PostgreSQL: a database of its own, made once; the script empties it (flush) each run
    createdb -h 127.0.0.1 -U postgres cmetrack_bench_migration
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmetrack_bench_migration \\
        .venv/bin/python benchmarks/register_import/bench_migration.py --rows 2000

Refuses any DATABASE_URL whose database is not named `cmetrack_bench_migration`. Peak memory
is the process's high-water mark (`ru_maxrss`).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
SQLITE_FILE = ROOT / "var" / "benchmarks" / "register_import" / "bench.sqlite3"


def _database_url() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
        return
    if urlparse(url).path.lstrip("/") != "cmetrack_bench_migration":
        sys.exit("Refusing to run: DATABASE_URL must name the database cmetrack_bench_migration.")


_database_url()
os.environ["DJANGO_SETTINGS_MODULE"] = "cmetrack.settings.test"  # fast hashing, no mail
os.environ.setdefault("CMETRACK_IMPORT_BACKGROUND_ROWS", "1000000")  # all in this process

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cmetrack.accounts.models import User  # noqa: E402
from cmetrack.cases.models import Case  # noqa: E402
from cmetrack.register_import.models import RegisterMigration  # noqa: E402
from cmetrack.register_import.services import (  # noqa: E402
    migration_check,
    migration_commit,
    migration_confirm_codes,
    migration_confirm_columns,
    migration_undo,
    migration_upload,
)
from cmetrack.register_import.services.steps import mapping_from_json  # noqa: E402
from cmetrack.register_import.testing import DEFAULTS, messy_register  # noqa: E402
from cmetrack.schooldays.services import term_dates_load_bundled  # noqa: E402
from cmetrack.testing.factories import OrganisationFactory, UserFactory  # noqa: E402


def _timed(label: str, figures: list[tuple[str, float]], work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    figures.append((label, time.perf_counter() - start))
    return result


def _to_checked(data: bytes, by: User, figures: list[tuple[str, float]], tag: str) -> Any:
    batch = _timed(
        f"{tag}upload (read, guess columns)",
        figures,
        lambda: migration_upload(data=data, filename="register.xlsx", by=by),
    )
    batch = _timed(
        f"{tag}confirm columns (distinct values, suggest codes)",
        figures,
        lambda: migration_confirm_columns(
            batch=batch, mapping=mapping_from_json(batch.column_mapping), by=by
        ),
    )
    defaults = {field.value: code for field, code in DEFAULTS.items()}
    batch = migration_confirm_codes(batch=batch, codes=batch.code_mapping, defaults=defaults, by=by)
    return _timed(f"{tag}check", figures, lambda: migration_check(batch=batch, by=by))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    term_dates_load_bundled()
    officer = UserFactory(
        role=User.Role.CME_OFFICER, organisation=OrganisationFactory(name="Bench CME team")
    )
    data, truth = messy_register(args.rows, seed=args.seed, fmt="xlsx", today=timezone.localdate())
    figures: list[tuple[str, float]] = []

    first = _to_checked(data, officer, figures, "")
    _timed(
        "commit valid rows",
        figures,
        lambda: migration_commit(batch=first, valid_only=True, by=officer),
    )
    cases = Case.objects.count()
    second = _to_checked(data, officer, figures, "second import: ")
    _timed(
        "undo the first",
        figures,
        lambda: migration_undo(batch=RegisterMigration.objects.get(pk=first.pk), by=officer),
    )

    print(f"{connection.vendor}, {args.rows} rows (xlsx), seed {args.seed}")
    print(f"  rows with errors: {sum(t.error for t in truth)}; cases written: {cases}")
    print(f"  second import: {second.summary['known_rows']} known, {second.summary['valid']} new")
    for label, seconds in figures:
        print(f"  {label:<58} {seconds:7.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
