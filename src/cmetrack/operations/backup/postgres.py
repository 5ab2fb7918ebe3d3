"""PostgreSQL: pg_dump's custom format out, pg_restore's script applied in one transaction.

Connection details come from Django's settings and reach the tools only through their
environment (PGHOST, PGPASSWORD, ...): a password never appears on a command line, where any
user of the machine could read it.

A restore runs `pg_restore --clean --if-exists --no-owner` to a script and hands it to `psql`
in one transaction, preceded by dropping the tables this code's models have that the backup
does not (a backup from before an upgrade): a failure anywhere rolls back everything.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import IO

from django.db import connection

from .errors import BackupDamaged, BackupError

READ_SIZE = 1024 * 1024

# Django's OPTIONS that libpq also reads from the environment.
_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
}
_SETTING_ENV = {
    "NAME": "PGDATABASE",
    "USER": "PGUSER",
    "PASSWORD": "PGPASSWORD",  # the variable's name, not a password # nosec B105
    "HOST": "PGHOST",
    "PORT": "PGPORT",
}
# `pg_restore --list`: "215; 1259 16390 TABLE public accounts_user owner".
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


def pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    # Settings win over whatever PG* variables the operator's shell happens to carry.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {*_SETTING_ENV.values(), *_OPTION_ENV.values()}
    }
    for setting, variable in _SETTING_ENV.items():
        if db.get(setting):
            env[variable] = str(db[setting])
    for option, variable in _OPTION_ENV.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    env["PGAPPNAME"] = "cmetrack-backup"
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on the PATH: install PostgreSQL's client tools, of the same major "
            "version as the server or newer."
        )
    return path


def _error_text(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    lines = stderr.read().decode("utf-8", "replace").strip().splitlines()
    # A failing row's values can follow on a DETAIL line (docs/administrator-guide.md, logs).
    kept = [line for line in lines if not line.lstrip().startswith("DETAIL:")]
    return " / ".join(kept[-3:]) or "no message"


def pg_dump_chunks() -> Generator[bytes]:
    """The dump as it comes out of pg_dump, never held whole in memory or written in the clear."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments; details in the environment # nosec B603
            [_tool("pg_dump"), "--format=custom", "--no-password"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=pg_environment(),
        )
        assert process.stdout is not None
        try:
            yield from iter(lambda: process.stdout.read(READ_SIZE), b"")  # type: ignore[union-attr]
        finally:
            # Closed early (the backup failed on our side), pg_dump stops at its next write.
            process.stdout.close()
            code = process.wait()
        if code != 0:
            raise BackupError(f"pg_dump failed (exit {code}): {_error_text(stderr)}")


def archive_tables(path: Path) -> set[str]:
    """The tables in a dump, from its table of contents; also proves pg_restore can read it."""
    with tempfile.TemporaryFile() as stderr:
        result = subprocess.run(  # noqa: S603 - fixed arguments; our own temporary file # nosec B603
            [_tool("pg_restore"), "--list", str(path)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            check=False,
        )
        if result.returncode != 0:
            raise BackupDamaged(f"pg_restore cannot read the backup: {_error_text(stderr)}")
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    return {match.group(2) for line in lines if (match := _TOC_TABLE.match(line))}


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def _tables_not_in(dump_tables: set[str]) -> list[str]:
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    ours = set(connection.introspection.django_table_names())
    ours.add("django_migrations")
    return sorted((present & ours) - dump_tables)


def _psql(stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed arguments; details in the environment # nosec B603
        [
            _tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--set=ON_ERROR_STOP=1",
            "--file=-",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env=pg_environment(),
    )


def _feed(
    apply: subprocess.Popen[bytes], script: subprocess.Popen[bytes], extra: list[str]
) -> bool:
    """Open the transaction, then copy the prelude and pg_restore's script into psql.

    False if psql stopped reading (an error: it stopped there, and the transaction with it).
    """
    assert apply.stdin is not None and script.stdout is not None
    try:
        apply.stdin.write(b"BEGIN;\n")
        if extra:
            quoted = ", ".join(connection.ops.quote_name(table) for table in extra)
            apply.stdin.write(f"DROP TABLE IF EXISTS {quoted} CASCADE;\n".encode())
        while block := script.stdout.read(READ_SIZE):
            apply.stdin.write(block)
    except BrokenPipeError:
        return False
    return True


def pg_load(path: Path) -> None:
    """Restore in one transaction that only an explicit COMMIT, sent last, can make stick.

    Not `psql --single-transaction`: that commits when its input ends, however it ends, so a
    restore killed half-way would keep half a database. Here, input that ends early (pg_restore
    failed, or this process was stopped) leaves the transaction open when psql exits, and
    PostgreSQL rolls it back. (pg_restore writes its own BEGIN/COMMIT only around large
    objects, which Django never makes.)
    """
    extra = _tables_not_in(archive_tables(path))
    # Our own connection would only be in the way of the restore's locks.
    connection.close()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        script = subprocess.Popen(  # noqa: S603 - fixed arguments; our own temporary file # nosec B603
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_err,
        )
        apply = _psql(psql_err)
        assert script.stdout is not None and apply.stdin is not None
        try:
            fed = _feed(apply, script, extra)
        finally:
            script.stdout.close()
            produced = script.wait()
        with contextlib.suppress(BrokenPipeError):
            if fed and produced == 0:
                apply.stdin.write(b"COMMIT;\n")
            apply.stdin.close()
        applied = apply.wait()
        if fed and produced != 0:
            raise BackupError(
                f"pg_restore failed (exit {produced}); PostgreSQL rolled back, nothing was "
                f"restored: {_error_text(restore_err)}"
            )
        if applied != 0 or not fed:
            raise BackupError(
                "PostgreSQL refused the restore and rolled it back; the database is as it was. "
                f"psql said: {_error_text(psql_err)}"
            )
