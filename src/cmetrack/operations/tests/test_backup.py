"""Encrypted backup and restore: every table comes back as it was; a bad file restores nothing.

The round trips run on the suite's database (SQLite in memory, or the PostgreSQL test
database with DATABASE_URL set), and on a SQLite file through the `cmetrack` command in
another process, as an operator's cron job would.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from pytest_django import Settings as SettingsWrapper

from cmetrack.cases.models import Case
from cmetrack.cases.services import case_flag_add
from cmetrack.children.models import Child
from cmetrack.operations.backup import (
    BackupDamaged,
    BackupKeyError,
    archive,
    postgres,
    sigterm_exits,
)
from cmetrack.operations.backup.contents import pack
from cmetrack.operations.backup.fileformat import EncryptedReader, EncryptedWriter, Metadata
from cmetrack.operations.backup.keys import key_decode
from cmetrack.operations.management.commands import restore as restore_command
from cmetrack.operations.models import JobRun
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
    flag_type,
)

KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = base64.b64encode(bytes(range(1, 33))).decode()
# Backups and restores need committed data (pg_dump reads it from its own connection), and a
# restore replaces every table, reference data loaded by migrations included: the flush after
# each test and post_migrate put it back (operations/tests/conftest.py for the first one).
whole_database = pytest.mark.django_db(transaction=True)
# A refused restore touches nothing, so on PostgreSQL these run inside the test's transaction
# (much quicker; pg_dump, on its own connection, then backs up the committed reference data,
# still a real backup to refuse). SQLite cannot back up from a connection mid-transaction.
_on_sqlite = connection.vendor == "sqlite"
refusal = pytest.mark.django_db(transaction=_on_sqlite)
on_postgres = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in {"postgres", "postgresql"},
    reason="PostgreSQL only: run with DATABASE_URL=postgres://... to exercise pg_restore",
)


@pytest.fixture(autouse=True)
def backup_key(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.CMETRACK_BACKUP_KEY = KEY
    settings.CMETRACK_BACKUP_KEY_FILE = ""
    # A backup copies MEDIA_ROOT and a restore replaces it: never the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


def fill_database() -> list[Child]:
    """A small authority: a team, a school, children with addresses, cases, flags, audit."""
    team = OrganisationFactory(name="Backup test CME team")
    officer = UserFactory(organisation=team)
    SchoolFactory()
    children = ChildFactory.create_batch(3)
    for child in children:
        AddressFactory(child=child)
    first = CaseFactory(child=children[0])
    CaseFactory(child=children[1])
    case_flag_add(case=first, flag_type=flag_type(), by=officer, note="Synthetic note")
    return children


def table_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every table in the database, row by row in primary-key order."""
    quote = connection.ops.quote_name
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            keys = connection.introspection.get_primary_key_columns(cursor, table) or []
            order = ", ".join(quote(key) for key in keys) or "1"
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {order}")  # noqa: S608
            rows[table] = [tuple(row) for row in cursor.fetchall()]
    return rows


def every_model_table() -> set[str]:
    return {model._meta.db_table for model in apps.get_models()}


def change_everything(children: list[Child]) -> None:
    Child.objects.filter(pk=children[0].pk).update(surname="Changed-after-backup")
    Case.objects.filter(child=children[1]).delete()
    Child.objects.filter(pk=children[2].pk).delete()
    CaseFactory()  # a new child with a new case, and their audit entries
    JobRun.objects.create(name="tick", trigger=JobRun.Trigger.COMMAND)


def backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def rewrap(source: Path, target: Path, **changes: Any) -> None:
    """The same database in a soundly encrypted file whose header says something else."""
    payload = target.with_suffix(".payload")
    header = archive.backup_decrypt(source, payload).header
    metadata = dataclasses.replace(header.metadata, **changes)
    with target.open("wb") as out:
        writer = EncryptedWriter(out, key_decode(KEY), metadata)
        for plain in pack(iter([payload.read_bytes()]), [], lambda manifest: None):
            writer.write(plain)
        writer.finish()


# --- round trips ----------------------------------------------------------------------------


@whole_database
def test_restore_brings_back_every_table_row_by_row_as_it_was_at_backup_time(
    tmp_path: Path,
) -> None:
    children = fill_database()
    before = table_rows()
    assert every_model_table() <= set(before)
    assert before["auditlog_logentry"], "the audit log is part of what must come back"
    assert before["children_child"] and before["cases_case"]
    backup(tmp_path / "cme.backup")

    change_everything(children)
    assert table_rows() != before

    restore(tmp_path / "cme.backup", "--yes")
    assert table_rows() == before


@whole_database
def test_restore_prints_the_tables_and_row_counts_and_says_to_run_retention_again(
    tmp_path: Path,
) -> None:
    fill_database()
    children = Child.objects.count()
    backup(tmp_path / "cme.backup")

    output = restore(tmp_path / "cme.backup", "--yes")

    assert "Restored" in output
    assert any(line.split() == ["children_child", str(children)] for line in output.splitlines())
    assert "Run `cmetrack retention` now" in output
    assert "anonymised since this backup" in output
    assert "audit log is as it was when the backup was made" in output


@whole_database
def test_restore_writes_an_audit_line_without_personal_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    children = fill_database()
    backup(tmp_path / "cme.backup")
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="cmetrack.backup"):
        restore(tmp_path / "cme.backup", "--yes")

    lines = [r.getMessage() for r in caplog.records if r.name == "cmetrack.backup"]
    assert len(lines) == 1 and lines[0].startswith("Database restored from")
    assert "sha256" in lines[0]
    for child in children:
        assert child.surname not in lines[0] and child.forenames not in lines[0]


@whole_database
def test_restoring_an_older_backup_drops_the_newer_tables_and_migrates_to_the_code(
    tmp_path: Path,
) -> None:
    # A backup from before the operations app existed (as if made before an upgrade).
    call_command("migrate", "operations", "zero", verbosity=0)
    backup(tmp_path / "old.backup")
    call_command("migrate", verbosity=0)
    JobRun.objects.create(name="tick", trigger=JobRun.Trigger.COMMAND)

    output = restore(tmp_path / "old.backup", "--yes")

    assert "migrated it" in output and "operations.0001_initial" in output
    assert JobRun.objects.count() == 0  # the table is the migration's, new and empty


def _cmetrack(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console entry point, fixed arguments
        [sys.executable, "-m", "cmetrack.cli", *args],
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "cmetrack.settings.test",
            "DATABASE_URL": f"sqlite:///{database}",
            "CMETRACK_BACKUP_KEY": KEY,
            "CMETRACK_FILES_DIR": str(database.parent / "media"),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


MIGRATE_AND_FILL = """
from django.core.management import call_command
from cmetrack.operations.tests.test_backup import fill_database
call_command("migrate", verbosity=0)
fill_database()
"""
CHANGE = """
from cmetrack.children.models import Child
from cmetrack.operations.tests.test_backup import change_everything
change_everything(list(Child.objects.order_by("pk")))
"""


def sqlite_file_rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(database) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            table: db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()  # noqa: S608
            for table in tables
        }


def test_sqlite_file_round_trip_by_the_command_while_another_connection_is_writing(
    tmp_path: Path,
) -> None:
    database = tmp_path / "cmetrack.sqlite3"
    filled = _cmetrack(database, "shell", "-c", MIGRATE_AND_FILL)
    assert filled.returncode == 0, filled.stderr
    before = sqlite_file_rows(database)
    assert "auditlog_logentry" in before and before["children_child"]

    # The service is running: a write is half-way through when the backup is taken.
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE children_child SET surname = 'Uncommitted'")
    made = _cmetrack(database, "backup", str(tmp_path / "cme.backup"))
    writer.execute("ROLLBACK")
    writer.close()
    assert made.returncode == 0, made.stderr

    changed = _cmetrack(database, "shell", "-c", CHANGE)
    assert changed.returncode == 0, changed.stderr
    assert sqlite_file_rows(database) != before

    restored = _cmetrack(database, "restore", "--yes", str(tmp_path / "cme.backup"))
    assert restored.returncode == 0, restored.stderr
    assert "Run `cmetrack retention` now" in restored.stdout
    assert sqlite_file_rows(database) == before


def test_restore_without_yes_from_cron_or_a_script_is_refused_before_reading_the_file(
    tmp_path: Path,
) -> None:
    # No terminal to ask: refused at once (the in-process test shows nothing changes).
    database = tmp_path / "cmetrack.sqlite3"
    refused = _cmetrack(database, "restore", str(tmp_path / "never-read.backup"))

    assert refused.returncode != 0
    assert "--yes" in refused.stderr and "Nothing was restored" in refused.stderr


# --- refusals: nothing is restored ----------------------------------------------------------


@pytest.fixture
def made(tmp_path: Path) -> Path:
    """A backup of a filled database, followed by a change a wrong restore would undo."""
    fill_database()
    path = tmp_path / "cme.backup"
    backup(path)
    CaseFactory()
    return path


def refused(path: Path, *args: str) -> str:
    before = table_rows()
    with pytest.raises(CommandError) as error:
        restore(path, *args)
    assert table_rows() == before, "a refused restore must change nothing"
    return str(error.value)


@refusal
def test_restore_without_yes_is_refused_and_changes_nothing(made: Path) -> None:
    assert "--yes" in refused(made)


@refusal
def test_restore_answered_no_at_the_prompt_changes_nothing(
    made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(restore_command, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert "cancelled" in refused(made)


@refusal
def test_restore_with_the_wrong_key_is_refused_and_changes_nothing(
    made: Path, settings: SettingsWrapper
) -> None:
    settings.CMETRACK_BACKUP_KEY = OTHER_KEY
    message = refused(made, "--yes")
    assert "different key" in message and "Nothing was restored" in message


def _flip_header_digit(data: bytearray) -> None:
    # The header is readable JSON; a changed digit keeps it readable but must fail the check.
    at = data.index(b'"created_at": "') + len(b'"created_at": "')
    data[at] = ord("1") if data[at] != ord("1") else ord("2")


def _flip_data_byte(data: bytearray) -> None:
    data[len(data) // 2] ^= 0x01


def _cut_in_half(data: bytearray) -> None:
    del data[len(data) // 2 :]


def _cut_last_byte(data: bytearray) -> None:
    del data[-1:]


@refusal
@pytest.mark.parametrize(
    "damage",
    [_flip_header_digit, _flip_data_byte, _cut_in_half, _cut_last_byte],
    ids=["tampered header", "tampered data byte", "truncated to half", "truncated by a byte"],
)
def test_a_tampered_or_truncated_backup_is_refused_and_changes_nothing(
    made: Path, damage: Any
) -> None:
    data = bytearray(made.read_bytes())
    damage(data)
    made.write_bytes(bytes(data))

    message = refused(made, "--yes")

    assert "integrity check" in message or "cut short" in message


@refusal
def test_a_backup_of_the_other_kind_of_database_is_refused_with_a_clear_message(
    made: Path, tmp_path: Path
) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    payload = archive.PAYLOADS[other]
    rewrap(made, tmp_path / "other.backup", vendor=other, payload=payload)

    message = refused(tmp_path / "other.backup", "--yes")

    assert "restores only into the kind of database it was made from" in message


@refusal
def test_a_backup_from_a_newer_migration_state_is_refused_with_upgrade_advice(
    made: Path, tmp_path: Path
) -> None:
    header = archive.backup_decrypt(made, tmp_path / "peek").header
    future = {**header.metadata.migrations, "cases": "9999_from_the_future"}
    rewrap(made, tmp_path / "future.backup", migrations=future)

    message = refused(tmp_path / "future.backup", "--yes")

    assert "newer version of cmetrack" in message and "cases.9999_from_the_future" in message
    assert "Upgrade cmetrack" in message


@whole_database
@on_postgres
def test_postgres_restore_that_fails_half_way_rolls_back_everything(made: Path) -> None:
    # A view someone made on a table stops pg_restore's DROP: the one transaction rolls back.
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW backup_test_blocker AS SELECT id FROM cases_case")
    try:
        message = refused(made, "--yes")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP VIEW backup_test_blocker")
    assert "rolled it back" in message and "database is as it was" in message


@whole_database
@on_postgres
def test_postgres_restore_whose_script_is_cut_short_commits_nothing(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pg_restore dies after the script's DROP statements: psql must not commit them.
    real = shutil.which("pg_restore")
    fake = tmp_path / "pg_restore"
    fake.write_text(
        "#!/bin/sh\n"
        f'case "$1" in --list) exec "{real}" "$@";; esac\n'
        # Every statement before the first CREATE: complete DROPs that psql would run.
        f'"{real}" "$@" | awk \'/^CREATE/{{exit}} {{print}}\'\n'
        "exit 1\n"
    )
    fake.chmod(0o700)
    tool = postgres._tool
    monkeypatch.setattr(
        postgres, "_tool", lambda name: str(fake) if name == "pg_restore" else tool(name)
    )

    message = refused(made, "--yes")

    assert "pg_restore failed" in message and "nothing was restored" in message


# --- backup and verify ----------------------------------------------------------------------


@refusal
def test_verify_reports_a_sound_backup_without_restoring_it(tmp_path: Path) -> None:
    backup(tmp_path / "cme.backup")
    ChildFactory()
    out = io.StringIO()

    call_command("backup", "--verify", str(tmp_path / "cme.backup"), stdout=out)

    # The report names each app's latest migration by its number (children 0005, ...).
    [(_, latest)] = MigrationLoader(None).graph.leaf_nodes("children")
    assert "is a sound backup" in out.getvalue() and f"children {latest[:4]}" in out.getvalue()
    assert Child.objects.count() == 1


@refusal
def test_verify_reports_a_tampered_backup(tmp_path: Path) -> None:
    path = tmp_path / "cme.backup"
    backup(path)
    data = bytearray(path.read_bytes())
    _flip_data_byte(data)
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="integrity check"):
        call_command("backup", "--verify", str(path))


@refusal
def test_the_backup_file_is_readable_by_its_owner_only_and_holds_no_plaintext(
    tmp_path: Path,
) -> None:
    child = ChildFactory(surname="Plaintextsurname")
    path = tmp_path / "cme.backup"
    backup(path)
    assert path.stat().st_mode & 0o077 == 0
    assert child.surname.encode() not in path.read_bytes()


@refusal
def test_a_failed_backup_leaves_no_file_and_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cme.backup"
    backup(path)
    good = path.read_bytes()

    def disk_full(self: EncryptedWriter, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(EncryptedWriter, "write", disk_full)
    with pytest.raises(CommandError, match="No space left"):
        backup(path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cme.backup"]


def test_backup_without_a_key_is_refused_with_how_to_make_one(
    tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.CMETRACK_BACKUP_KEY = ""
    with pytest.raises(CommandError, match="--generate-key"):
        backup(tmp_path / "cme.backup")
    assert not (tmp_path / "cme.backup").exists()


def test_a_key_that_is_not_32_bytes_of_base64_is_refused(
    tmp_path: Path, settings: SettingsWrapper
) -> None:
    settings.CMETRACK_BACKUP_KEY = "correct horse battery staple"
    with pytest.raises(CommandError, match="32 random bytes"):
        backup(tmp_path / "cme.backup")


@refusal
def test_the_key_can_come_from_a_file(tmp_path: Path, settings: SettingsWrapper) -> None:
    key_file = tmp_path / "backup-key"
    key_file.write_text(KEY + "\n")
    settings.CMETRACK_BACKUP_KEY = ""
    settings.CMETRACK_BACKUP_KEY_FILE = str(key_file)
    backup(tmp_path / "cme.backup")
    settings.CMETRACK_BACKUP_KEY_FILE = ""
    settings.CMETRACK_BACKUP_KEY = KEY
    call_command("backup", "--verify", str(tmp_path / "cme.backup"), stdout=io.StringIO())


def test_generate_key_prints_a_new_32_byte_key() -> None:
    out = io.StringIO()
    call_command("backup", "--generate-key", stdout=out)
    assert len(key_decode(out.getvalue())) == 32


class FakeDump:
    """Stands in for pg_dump: records how it was started, writes a few bytes."""

    calls: list[tuple[list[str], dict[str, str]]] = []

    def __init__(self, args: list[str], **kwargs: Any):
        FakeDump.calls.append((args, kwargs["env"]))
        self.stdout = io.BytesIO(b"PGDMP fake")

    def poll(self) -> int:
        return 0

    def wait(self) -> int:
        return 0


def test_pg_dump_gets_the_password_from_its_environment_never_its_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for setting, value in {
        "NAME": "cme",
        "USER": "cme",
        "PASSWORD": "s3cret-pw",
        "HOST": "db",
    }.items():
        monkeypatch.setitem(connection.settings_dict, setting, value)
    monkeypatch.setenv("PGHOST", "somewhere-else")
    monkeypatch.setattr(postgres.subprocess, "Popen", FakeDump)
    monkeypatch.setattr(postgres.shutil, "which", lambda name: f"/usr/bin/{name}")

    assert b"".join(postgres.pg_dump_chunks()) == b"PGDMP fake"

    args, env = FakeDump.calls[-1]
    assert args == ["/usr/bin/pg_dump", "--format=custom", "--no-password"]
    assert env["PGPASSWORD"] == "s3cret-pw" and env["PGDATABASE"] == "cme"
    assert env["PGHOST"] == "db", "the settings win over the shell's PG* variables"


# --- the file format itself, in small chunks ------------------------------------------------

METADATA = Metadata(
    vendor="sqlite",
    payload="sqlite3-database",
    created_at="2026-12-02T03:00:00+00:00",
    migrations={"cases": "0006_enquiry_not_applicable"},
    cmetrack_version="0.1.0",
    django_version="5.2",
)


def sealed(payload: bytes, key: str = KEY) -> bytes:
    out = io.BytesIO()
    writer = EncryptedWriter(out, key_decode(key), METADATA, chunk_size=16)
    writer.write(payload[:7])  # written in pieces that do not line up with the chunks
    writer.write(payload[7:])
    writer.finish()
    return out.getvalue()


def opened(data: bytes, key: str = KEY) -> bytes:
    return b"".join(EncryptedReader(io.BytesIO(data)).chunks(key_decode(key)))


def chunk_spans(data: bytes) -> list[tuple[int, int]]:
    at = 17 + 4 + int.from_bytes(data[17:21], "big")
    spans = []
    while at < len(data):
        end = at + 4 + int.from_bytes(data[at : at + 4], "big")
        spans.append((at, end))
        at = end
    return spans


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 100])
def test_the_file_format_gives_back_exactly_what_was_written_whatever_its_length(
    size: int,
) -> None:
    payload = bytes(i % 251 for i in range(size))
    assert opened(sealed(payload)) == payload


def test_the_file_format_detects_two_chunks_swapped() -> None:
    data = sealed(bytes(64))
    (a0, a1), (b0, b1) = chunk_spans(data)[:2]
    swapped = data[:a0] + data[b0:b1] + data[a0:a1] + data[b1:]
    with pytest.raises(BackupDamaged, match="chunk 1"):
        opened(swapped)


def test_the_file_format_detects_a_file_cut_exactly_at_a_chunk_boundary() -> None:
    data = sealed(bytes(64))
    last_start, _ = chunk_spans(data)[-1]
    with pytest.raises(BackupDamaged, match="integrity check"):
        opened(data[:last_start])


def test_the_file_format_detects_bytes_added_after_the_last_chunk() -> None:
    data = sealed(bytes(40))
    with pytest.raises(BackupDamaged):
        opened(data + data[chunk_spans(data)[-1][0] :])


def test_the_file_format_tells_a_wrong_key_from_damage() -> None:
    with pytest.raises(BackupKeyError, match="different key"):
        opened(sealed(b"payload"), key=OTHER_KEY)


def test_a_file_that_is_not_a_backup_is_named_as_such() -> None:
    with pytest.raises(BackupDamaged, match="not a cmetrack backup"):
        opened(b"SQLite format 3\x00" + bytes(100))


def test_a_backup_or_restore_stopped_by_sigterm_exits_through_its_cleanup() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers can only be set from the main thread")
    previous = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped, sigterm_exits():
        os.kill(os.getpid(), signal.SIGTERM)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is previous
