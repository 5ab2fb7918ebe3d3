"""The backup holds the files directory too: letters and attachments come back with the rows.

The suite's default storage is in memory, and the backup reads MEDIA_ROOT on the disk: each test
points MEDIA_ROOT at its own temporary folder and writes files there (one test goes through a
FileSystemStorage, as production does). The round trips run on the suite's database, SQLite or
PostgreSQL (DATABASE_URL), and once through the `cmetrack` command in another process.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django import Settings as SettingsWrapper

from cmetrack.children.models import Child
from cmetrack.operations.backup import BackupDamaged, BackupError, archive
from cmetrack.operations.backup import restore as restore_module
from cmetrack.operations.backup.contents import (
    BLOCK_SIZE,
    DATABASE,
    FILE,
    MANIFEST,
    Entry,
    Manifest,
    Source,
    entry,
    pack,
    path_parts,
)
from cmetrack.operations.backup.fileformat import EncryptedWriter, Metadata
from cmetrack.operations.backup.keys import key_decode
from cmetrack.operations.tests.test_backup import (
    KEY,
    backup,
    fill_database,
    refusal,
    restore,
    sqlite_file_rows,
    table_rows,
    whole_database,
)
from cmetrack.testing.factories import CaseFactory, ChildFactory

# Bigger than one block and one chunk, and not a multiple of either.
LARGE = bytes(i % 253 for i in range(2 * BLOCK_SIZE + 12345))


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """MEDIA_ROOT in a folder of its own, so a restore's siblings there can be counted."""
    settings.CMETRACK_BACKUP_KEY = KEY
    settings.CMETRACK_BACKUP_KEY_FILE = ""
    root = tmp_path / "site" / "media"
    settings.MEDIA_ROOT = root
    return root


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root by its relative path; folders only through their files."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def siblings(root: Path) -> list[str]:
    """What is beside the files directory: a restore must leave nothing of its own there."""
    return sorted(path.name for path in root.parent.iterdir())


FILES = {
    "letters/produced/3f2a9c.pdf": b"%PDF-1.7 letter",
    "letters/produced/3f2a9c.docx": b"PK\x03\x04 docx",
    "attachments/0a1b2c3d": LARGE,
    "attachments/nested/deeper/still/note.txt": b"a note",
    "attachments/empty": b"",
    "left-over-by-hand.txt": b"no row refers to this file, and it is backed up all the same",
}


def verify(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", "--verify", str(path), stdout=out)
    return out.getvalue()


# --- round trips ----------------------------------------------------------------------------


@whole_database
def test_restore_brings_back_the_database_and_every_file_in_nested_folders(
    media: Path, tmp_path: Path
) -> None:
    fill_database()
    write_files(media, FILES)
    before_rows, before_files = table_rows(), tree(media)
    output = backup(tmp_path / "cme.backup")
    assert f"{len(FILES)} files ({sum(map(len, FILES.values())):,} bytes)" in output

    # Since the backup: a file changed, one deleted, a new one, a new folder, a new child.
    (media / "letters/produced/3f2a9c.pdf").write_bytes(b"changed")
    (media / "attachments/0a1b2c3d").unlink()
    write_files(media, {"attachments/new-since": b"new", "brand/new/folder/x": b"x"})
    CaseFactory()

    output = restore(tmp_path / "cme.backup", "--yes")

    assert tree(media) == before_files
    assert table_rows() == before_rows
    assert not (media / "brand").exists(), "folders only in the old directory are gone too"
    assert f"Restored {len(FILES)} files" in output
    assert siblings(media) == ["media"]


@refusal
def test_verify_checks_every_file_and_says_how_many(media: Path, tmp_path: Path) -> None:
    write_files(media, FILES)
    backup(tmp_path / "cme.backup")

    output = verify(tmp_path / "cme.backup")

    assert "is a sound backup" in output
    assert f"Files: {len(FILES)} ({sum(map(len, FILES.values())):,} bytes)" in output
    assert "matching its SHA-256" in output


@refusal
def test_the_manifest_lists_each_file_with_its_relative_path_and_sha256(
    media: Path, tmp_path: Path
) -> None:
    write_files(media, FILES)
    backup(tmp_path / "cme.backup")

    manifest = archive.backup_verify(tmp_path / "cme.backup").manifest

    assert manifest is not None
    assert {e.path: (e.size, e.sha256) for e in manifest.files} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in FILES.items()
    }


@refusal
def test_a_backup_keeps_no_file_name_or_content_in_the_clear(media: Path, tmp_path: Path) -> None:
    write_files(media, {"attachments/Plaintextname.txt": b"Plaintextcontent of an attachment"})
    backup(tmp_path / "cme.backup")
    data = (tmp_path / "cme.backup").read_bytes()
    assert b"Plaintextname" not in data and b"Plaintextcontent" not in data


@whole_database
def test_files_stored_through_django_storage_are_backed_up_and_restored(
    media: Path, tmp_path: Path, settings: SettingsWrapper
) -> None:
    # As in production: FileSystemStorage, whose location is MEDIA_ROOT.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    name = default_storage.save("letters/produced/abc123.pdf", ContentFile(b"%PDF letter"))
    backup(tmp_path / "cme.backup")
    default_storage.delete(name)

    restore(tmp_path / "cme.backup", "--yes")

    with default_storage.open(name, "rb") as stored:
        assert stored.read() == b"%PDF letter"


@whole_database
def test_an_empty_files_directory_is_backed_up_and_empties_the_directory_on_restore(
    media: Path, tmp_path: Path
) -> None:
    media.mkdir(parents=True)
    assert "0 files (0 bytes)" in backup(tmp_path / "cme.backup")
    write_files(media, {"letters/produced/after.pdf": b"made after the backup"})

    output = restore(tmp_path / "cme.backup", "--yes")

    assert media.is_dir() and tree(media) == {}
    assert "Restored 0 files" in output


@whole_database
def test_a_files_directory_that_does_not_exist_yet_backs_up_as_no_files_and_restores(
    media: Path, tmp_path: Path
) -> None:
    # A new installation before its first letter: there is nothing to copy, and no error.
    assert not media.exists()
    assert "0 files" in backup(tmp_path / "cme.backup")
    restore(tmp_path / "cme.backup", "--yes")
    assert media.is_dir() and tree(media) == {}


@whole_database
def test_the_restored_directory_keeps_the_permissions_of_the_one_it_replaces(
    media: Path, tmp_path: Path
) -> None:
    write_files(media, FILES)
    media.chmod(0o750)
    backup(tmp_path / "cme.backup")

    restore(tmp_path / "cme.backup", "--yes")

    assert stat.S_IMODE(media.stat().st_mode) == 0o750
    assert tree(media) == FILES


def test_the_command_backs_up_and_restores_the_files_of_cmetrack_files_dir(
    tmp_path: Path,
) -> None:
    # Another process, configured by its environment as on a server (SQLite file).
    database, files = tmp_path / "cmetrack.sqlite3", tmp_path / "files"
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "cmetrack.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "CMETRACK_BACKUP_KEY": KEY,
        "CMETRACK_FILES_DIR": str(files),
    }

    def cmetrack(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own console entry point, fixed arguments
            [sys.executable, "-m", "cmetrack.cli", *args],
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert cmetrack("migrate", "--verbosity=0").returncode == 0
    write_files(files, FILES)
    rows = sqlite_file_rows(database)
    made = cmetrack("backup", str(tmp_path / "cme.backup"))
    assert made.returncode == 0, made.stderr
    assert f"{len(FILES)} files" in made.stdout and str(files) in made.stdout

    (files / "attachments/0a1b2c3d").write_bytes(b"overwritten")
    restored = cmetrack("restore", "--yes", str(tmp_path / "cme.backup"))

    assert restored.returncode == 0, restored.stderr
    assert tree(files) == FILES
    assert sqlite_file_rows(database) == rows


# --- streaming --------------------------------------------------------------------------------


def test_files_are_read_one_block_at_a_time_and_opened_only_when_their_turn_comes() -> None:
    opened: list[str] = []

    def source(name: str, size: int) -> Source:
        def open_it() -> io.BytesIO:
            opened.append(name)
            return io.BytesIO(bytes(size))

        return Source(path=name, open=open_it)

    manifests: list[Manifest] = []
    plain = pack(
        iter([b"database"]),
        [source("a", 3 * BLOCK_SIZE), source("b", 3 * BLOCK_SIZE)],
        manifests.append,
    )
    largest = 0
    for piece in plain:
        largest = max(largest, len(piece))
        if opened == ["a"]:
            assert not manifests
    assert largest <= BLOCK_SIZE + 4, "a block at a time, never a whole file"
    assert opened == ["a", "b"]
    assert [(e.path, e.size) for e in manifests[0].files] == [
        ("a", 3 * BLOCK_SIZE),
        ("b", 3 * BLOCK_SIZE),
    ]


def test_a_file_deleted_while_the_backup_runs_is_left_out_of_the_manifest() -> None:
    def gone() -> io.BytesIO:
        raise FileNotFoundError("deleted since it was listed")

    manifests: list[Manifest] = []
    list(pack(iter([b"db"]), [Source(path="gone", open=gone)], manifests.append))
    assert manifests[0].files == ()


# --- what a backup refuses to copy ------------------------------------------------------------


@refusal
def test_a_symbolic_link_in_the_files_directory_stops_the_backup_and_is_named(
    media: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not cmetrack's")
    write_files(media, FILES)
    (media / "attachments" / "link").symlink_to(secret)

    with pytest.raises(CommandError, match="symbolic link") as error:
        backup(tmp_path / "cme.backup")

    assert "attachments/link" in str(error.value)
    assert not (tmp_path / "cme.backup").exists()


@refusal
def test_a_linked_folder_in_the_files_directory_is_not_followed(
    media: Path, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    write_files(media, FILES)
    (media / "letters" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(CommandError, match="symbolic link"):
        backup(tmp_path / "cme.backup")


@refusal
def test_a_files_directory_that_is_itself_a_link_is_backed_up_through_it(
    media: Path, tmp_path: Path
) -> None:
    # A common layout (/var/lib/cmetrack/files -> /srv/files): the real folder is copied.
    real = tmp_path / "real-files"
    write_files(real, FILES)
    media.parent.mkdir(parents=True)
    media.symlink_to(real, target_is_directory=True)
    backup(tmp_path / "cme.backup")
    manifest = archive.backup_verify(tmp_path / "cme.backup").manifest
    assert manifest is not None and {e.path for e in manifest.files} == set(FILES)


@refusal
def test_a_backup_written_inside_the_files_directory_is_refused(media: Path) -> None:
    write_files(media, FILES)
    with pytest.raises(CommandError, match="outside the files directory"):
        backup(media / "cme.backup")
    assert not (media / "cme.backup").exists()


@refusal
def test_a_sqlite_database_inside_the_files_directory_is_refused_by_backup_and_restore(
    media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only a SQLite database is a file that could sit in the files directory")
    backup(tmp_path / "cme.backup")
    write_files(media, FILES)
    monkeypatch.setitem(connection.settings_dict, "NAME", str(media / "cmetrack.sqlite3"))

    with pytest.raises(CommandError, match="inside the files directory"):
        backup(tmp_path / "other.backup")
    with pytest.raises(CommandError, match="inside the files directory"):
        restore(tmp_path / "cme.backup", "--yes")
    assert tree(media) == FILES and not (tmp_path / "other.backup").exists()


# --- crafted and damaged backups: nothing is restored -----------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def crafted(
    tmp_path: Path,
    files: list[tuple[str, bytes]],
    listed: list[Entry] | None = None,
    extra: Iterable[bytes] = (),
) -> Path:
    """A soundly encrypted backup of this database with the given entries; `listed` replaces
    the honest manifest, `extra` is plaintext added after the manifest."""
    real, payload = tmp_path / "real.backup", tmp_path / "real.payload"
    backup(real)
    metadata = archive.backup_decrypt(real, payload).header.metadata
    database = payload.read_bytes()

    def plaintext() -> Iterator[bytes]:
        yield from entry(DATABASE, "", [database])
        for name, data in files:
            yield from entry(FILE, name, [data])
        honest = [Entry(path=name, size=len(data), sha256=_sha(data)) for name, data in files]
        manifest = Manifest(
            database_size=len(database),
            database_sha256=_sha(database),
            files=tuple(honest if listed is None else listed),
        )
        yield from entry(MANIFEST, "", [manifest.to_json()])
        yield from extra

    return seal(tmp_path / "crafted.backup", metadata, plaintext())


def seal(path: Path, metadata: Metadata, plaintext: Iterable[bytes], version: int = 2) -> Path:
    with path.open("wb") as out:
        writer = EncryptedWriter(out, key_decode(KEY), metadata, version=version)
        for piece in plaintext:
            writer.write(piece)
        writer.finish()
    return path


def refused(media: Path, path: Path) -> str:
    """The restore fails, and the database, the files and the folder around them are as before."""
    rows, files, beside = table_rows(), tree(media), siblings(media)
    with pytest.raises(CommandError) as error:
        restore(path, "--yes")
    assert table_rows() == rows, "a refused restore must change no row"
    assert tree(media) == files, "a refused restore must leave the old files in place"
    assert siblings(media) == beside, "a refused restore must leave nothing behind"
    return str(error.value)


@pytest.fixture
def live(media: Path) -> None:
    """The installation a wrong restore would damage: rows and files that differ from any backup."""
    write_files(media, FILES)


@whole_database
def test_an_honestly_crafted_backup_restores_so_the_refusals_below_are_about_their_flaw(
    media: Path, tmp_path: Path, live: None
) -> None:
    path = crafted(tmp_path, [("letters/produced/ok.pdf", b"fine")])
    restore(path, "--yes")
    assert tree(media) == {"letters/produced/ok.pdf": b"fine"}


@refusal
@pytest.mark.parametrize(
    "name",
    [
        "../escaped.txt",
        "letters/../../escaped.txt",
        "/tmp/escaped-absolute.txt",  # noqa: S108 - a name in a crafted backup, never written
        "letters//double-slash",
        "./letters/dot",
        "letters/..",
        "",
        "nul\x00byte",
    ],
)
def test_a_crafted_backup_naming_a_path_outside_the_files_directory_is_refused(
    media: Path, tmp_path: Path, live: None, name: str
) -> None:
    path = crafted(tmp_path, [("letters/produced/ok.pdf", b"fine"), (name, b"hostile")])

    message = refused(media, path)

    assert "outside the files directory" in message and "Nothing was restored" in message
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "site/escaped.txt").exists()
    assert not Path("/tmp/escaped-absolute.txt").exists()  # noqa: S108
    with pytest.raises(CommandError, match="outside the files directory"):
        verify(path)


@pytest.mark.parametrize("name", ["a/../b", "/etc/passwd", "..", "a/./b", "a/", ""])
def test_path_rules_refuse_every_way_out(name: str) -> None:
    with pytest.raises(BackupDamaged):
        path_parts(name)


def test_path_rules_accept_the_names_cmetrack_stores() -> None:
    assert path_parts("letters/produced/0a1b.pdf") == ("letters", "produced", "0a1b.pdf")
    assert path_parts("attachments/0a1b2c3d") == ("attachments", "0a1b2c3d")
    assert path_parts("..hidden/file..txt") == ("..hidden", "file..txt")


@refusal
def test_a_tampered_file_entry_is_detected_by_verify_and_refused_by_restore(
    media: Path, tmp_path: Path, live: None
) -> None:
    # Soundly encrypted (made with the key), but the bytes are not the ones the manifest names.
    listed = [Entry(path="attachments/x", size=6, sha256=_sha(b"honest"))]
    path = crafted(tmp_path, [("attachments/x", b"forged")], listed=listed)

    with pytest.raises(CommandError, match="does not match its size and SHA-256") as error:
        verify(path)
    assert "attachments/x" in str(error.value)
    assert "does not match" in refused(media, path)


@refusal
def test_a_changed_byte_inside_a_file_fails_the_integrity_check(
    media: Path, tmp_path: Path, live: None
) -> None:
    path = tmp_path / "cme.backup"
    backup(path)
    data = bytearray(path.read_bytes())
    data[-BLOCK_SIZE] ^= 0x01  # in the last file's blocks, well after the database
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="integrity check"):
        verify(path)
    assert "integrity check" in refused(media, path)


@refusal
@pytest.mark.parametrize(
    ("files", "listed", "message"),
    [
        ([("a", b"1"), ("a", b"1")], None, "twice"),
        ([("a", b"1"), ("a/b", b"2")], None, "both as a file and as a folder"),
        ([("a", b"1")], [], "does not match"),
        (
            [("a", b"1")],
            [Entry("a", 1, _sha(b"1")), Entry("b", 1, _sha(b"2"))],
            "lists a file that is not in it",
        ),
    ],
    ids=["same path twice", "file then folder", "file not in manifest", "manifest lists more"],
)
def test_a_crafted_backup_whose_entries_and_manifest_disagree_is_refused(
    media: Path,
    tmp_path: Path,
    live: None,
    files: list[tuple[str, bytes]],
    listed: list[Entry] | None,
    message: str,
) -> None:
    assert message in refused(media, crafted(tmp_path, files, listed=listed))


@refusal
def test_anything_after_the_manifest_is_refused(media: Path, tmp_path: Path, live: None) -> None:
    path = crafted(tmp_path, [], extra=entry(FILE, "smuggled", [b"after the manifest"]))
    assert "after the manifest" in refused(media, path)


@whole_database
def test_a_database_that_fails_to_restore_leaves_the_old_files_in_place(
    media: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(media, {"attachments/in-backup": b"old"})
    backup(tmp_path / "cme.backup")
    write_files(media, FILES)

    def fails(payload: Path) -> None:
        # Called after the new files were swapped in: they must be swapped out again.
        assert tree(media) == {"attachments/in-backup": b"old"}
        raise BackupError("The database refused the restore; nothing changed.")

    monkeypatch.setattr(restore_module, "sqlite_load", fails)
    monkeypatch.setattr(restore_module, "pg_load", fails)

    assert "refused the restore" in refused(media, tmp_path / "cme.backup")


@refusal
def test_a_restore_answered_no_leaves_the_files_as_they_are(
    media: Path, tmp_path: Path, live: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmetrack.operations.management.commands import restore as restore_command

    backup(tmp_path / "cme.backup")
    (media / "attachments/0a1b2c3d").unlink()
    monkeypatch.setattr(restore_command, "_interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    rows, files = table_rows(), tree(media)
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(tmp_path / "cme.backup"), stdout=io.StringIO())
    assert table_rows() == rows and tree(media) == files
    assert siblings(media) == ["media"]


# --- backups made before files were included (format version 1) ------------------------------


def old_format_backup(tmp_path: Path) -> Path:
    """A version-1 file as the code before this change wrote it: the database payload alone."""
    current, payload = tmp_path / "current.backup", tmp_path / "old.payload"
    backup(current)
    metadata = archive.backup_decrypt(current, payload).header.metadata
    current.unlink()
    return seal(tmp_path / "old.backup", metadata, [payload.read_bytes()], version=1)


@refusal
def test_an_old_format_backup_still_verifies_and_says_it_holds_no_files(
    media: Path, tmp_path: Path
) -> None:
    path = old_format_backup(tmp_path)
    output = verify(path)
    assert "is a sound backup" in output and "holds no files" in output
    assert "format version 1" in output


@whole_database
def test_an_old_format_backup_restores_the_database_and_leaves_the_files_alone(
    media: Path, tmp_path: Path
) -> None:
    children = ChildFactory.create_batch(2)
    rows = table_rows()
    path = old_format_backup(tmp_path)
    Child.objects.filter(pk=children[0].pk).delete()
    write_files(media, FILES)

    output = restore(path, "--yes")

    assert table_rows() == rows
    assert tree(media) == FILES, "the backup has no files to put in their place"
    assert "holds no files" in output and "left as they are" in output
    assert siblings(media) == ["media"]


@refusal
def test_a_backup_of_a_format_this_code_does_not_know_is_refused(tmp_path: Path) -> None:
    path = old_format_backup(tmp_path)
    data = bytearray(path.read_bytes())
    data[16] = 3  # the version byte: a future format
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="upgrade cmetrack"):
        verify(path)
