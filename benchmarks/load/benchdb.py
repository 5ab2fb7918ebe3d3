"""What the load benchmark's scripts share: the one database they may touch, and Django set-up.

Every script here writes to (or drops) the database it is given, so each refuses any database
whose name does not start with `cmetrack_bench`, as benchmarks/intake/bench_import.py does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VAR = ROOT / "var" / "benchmarks" / "load"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cmetrack_bench_load"
BENCH_PREFIX = "cmetrack_bench"
# The benchmark's own accounts: the locustfile signs in with these. Synthetic data only.
PASSWORD = "cmetrack-load-benchmark-2026"  # noqa: S105 - a published benchmark password
OFFICERS = 50
SCHOOL_USERS = 10


def officer_username(n: int) -> str:
    """Officers 1-44 are CME officers, 45-50 managers (the dashboard shows them approvals)."""
    return f"bench-officer-{n:02d}" if n <= 44 else f"bench-manager-{n - 44:02d}"


def school_username(n: int) -> str:
    return f"bench-school-{n:02d}"


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def check_bench_url(url: str) -> str:
    """The URL, if it names a PostgreSQL database called cmetrack_bench…; else exit."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"Refusing {url!r}: the load benchmark runs on PostgreSQL only.")
    name = database_name(url)
    if not name.startswith(BENCH_PREFIX):
        sys.exit(f"Refusing to run against database {name!r}: use one named {BENCH_PREFIX}….")
    return url


def _psql_args(url: str) -> list[str]:
    parsed = urlparse(url)
    return [
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
    ]


def recreate_database(url: str) -> None:
    """Drop and create the (checked) benchmark database."""
    name = database_name(check_bench_url(url))
    args = _psql_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)  # noqa: S603,S607
    subprocess.run(["createdb", *args, name], check=True)  # noqa: S603,S607


def database_exists(url: str) -> bool:
    name = database_name(check_bench_url(url))
    found = subprocess.run(  # noqa: S603
        ["psql", *_psql_args(url), "-d", "postgres", "-Atc",  # noqa: S607
         "SELECT datname FROM pg_database"],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    return name in found.stdout.split()


def setup_django(url: str, settings: str = "cmetrack.settings.test") -> None:
    """Point Django at the benchmark database. The test settings: no e-mail leaves the
    machine (the tick's overdue reports go to a list in memory) and no DEBUG query log."""
    os.environ["DATABASE_URL"] = check_bench_url(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()
