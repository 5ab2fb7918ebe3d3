"""Bulk import limits (issue 9, item 12): caps on rows and on what a workbook inflates to, one
parse per file (stored, never repeated by a page view), and large files checked and committed by
a background task whose page shows the progress."""

from __future__ import annotations

import csv
import io
import struct
import tracemalloc
import zipfile
import zlib
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.referrals import imports
from cmetrack.referrals.importing.parse import estimate_rows, parse_return_file
from cmetrack.referrals.importing.rows import (
    TEMPLATE_COLUMNS,
    ReturnRow,
    ReturnType,
    UnreadableFile,
)
from cmetrack.referrals.importing.tests.helpers import DATA
from cmetrack.referrals.imports import (
    ImportRefused,
    ImportState,
    import_commit,
    import_upload,
    rows_to_store,
    run_queued_check,
    run_queued_commit,
    stored_rows,
)
from cmetrack.referrals.imports import stored as imports_stored
from cmetrack.referrals.imports import upload as imports_upload
from cmetrack.referrals.models import DeletionReturn, ImportBatch, Submission
from cmetrack.testing.tasks import DATABASE_TASKS

TODAY = date(2026, 11, 2)


def _urn(user: User) -> str:
    assert user.organisation and user.organisation.school
    return user.organisation.school.urn


def returns_csv(urn: str, count: int) -> bytes:
    """`count` valid deletion rows for one school, no two alike."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    removed = (timezone.localdate() + timedelta(days=1)).isoformat()
    for n in range(count):
        writer.writerow(
            {
                "return_type": "deletion",
                "school_urn": urn,
                "surname": f"Example{n}",
                "forename": "Amelia",
                "date_of_birth": "2015-04-12",
                "sex": "F",
                "address_line_1": f"{n + 1} Acacia Avenue",
                "town": "Bootle",
                "postcode": "L20 7AE",
                "parent_name": "Sam Example",
                "parent_phone": "07700 900123",
                "ground": "f",
                "deletion_date": removed,
            }
        )
    return out.getvalue().encode()


def upload(client: Client, data: bytes, name: str = "returns.csv") -> Any:
    f = io.BytesIO(data)
    f.name = name
    return client.post(reverse("referrals:import"), {"file": f})


def page(client: Client, batch: ImportBatch) -> Any:
    return client.get(reverse("referrals:import-preview", args=[batch.public_id]))


# --- caps --------------------------------------------------------------------------------------


def zip_bomb(uncompressed: int) -> bytes:
    """An .xlsx-looking zip whose one sheet is `uncompressed` bytes of zeros (about 1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"\0" * (1 << 20)
            for _ in range(uncompressed // len(chunk)):
                sheet.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_workbook_is_refused_at_once_with_the_limit(
    school_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = zip_bomb(260 << 20)  # a "2 MB XLSX that unzips to 260 MB", in miniature
    assert len(data) < 1_000_000

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a workbook the zip's directory already refuses")

    # Refused from the zip's directory alone: the workbook is never inflated.
    monkeypatch.setattr("openpyxl.reader.excel.ExcelReader.__init__", never)
    response = upload(client_for(school_user), data, "returns.xlsx")

    html = response.content.decode()
    assert response.status_code == 200
    assert "would expand to 272.6 MB when opened, over the 50 MB limit" in html
    assert "Split the file" in html
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.UNREADABLE and not Submission.objects.exists()


def _understate(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s declared size (local header and central directory) cut to `size`,
    its CRC that of the first `size` bytes of zeros: a header that lies about the size."""
    out = bytearray(data)
    crc = zlib.crc32(b"\0" * size)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<I", out, local + 14, crc)
    struct.pack_into("<I", out, local + 22, size)
    central = out.index(b"PK\x01\x02")
    while bytes(out[central + 46 : central + 46 + len(name)]) != name.encode():
        central = out.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", out, central + 16, crc)
    struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def test_a_workbook_whose_zip_understates_its_size_is_not_inflated() -> None:
    """Zipfile stops a member at its declared size, but reading a whole member inflates the
    whole deflate stream first; openpyxl reads its small parts that way. The parser reads
    every member a chunk at a time, so 60 MB hidden behind a 1 KB header never lands in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("[Content_Types].xml", "w") as member:
            for _ in range(60):
                member.write(b"\0" * (1 << 20))
        archive.writestr("xl/workbook.xml", "<workbook/>")
    data = _understate(out.getvalue(), "[Content_Types].xml", 1024)
    with zipfile.ZipFile(io.BytesIO(data)) as check:  # what the directory now claims
        assert sum(i.file_size for i in check.infolist()) < 2_000

    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile, match="not a readable Excel workbook"):
            parse_return_file(data, "lying.xlsx", today=TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_what_openpyxl_inflates_is_capped_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The declared sizes pass; the budget on what is actually read stops openpyxl all the
    same (here: a real workbook, a budget smaller than its sheet)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(TEMPLATE_COLUMNS))
    for n in range(2_000):
        sheet.append(["deletion", "104512", "", f"Example{n}", "Amelia", "2015-04-12"])
    out = io.BytesIO()
    book.save(out)
    from cmetrack.referrals.importing import tabular

    real = tabular._CappedZipFile.__init__

    def small_budget(self: Any, file: Any, *, budget: int, limit: int) -> None:
        real(self, file, budget=50_000, limit=limit)

    monkeypatch.setattr(tabular._CappedZipFile, "__init__", small_budget)
    with pytest.raises(UnreadableFile, match="expands to more than the 50 MB limit when opened"):
        parse_return_file(out.getvalue(), "big.xlsx", today=TODAY)


def test_a_csv_over_the_row_cap_is_refused_with_what_to_do(
    school_user: User, settings: Settings
) -> None:
    settings.CMETRACK_IMPORT_MAX_ROWS = 5
    urn = _urn(school_user)

    batch, preview = import_upload(data=returns_csv(urn, 6), filename="r.csv", by=school_user)

    assert preview is None and batch.state == ImportState.UNREADABLE
    message = batch.summary["unreadable"]
    assert "more than 5 rows" in message and "Split the file" in message
    assert import_upload(data=returns_csv(urn, 5), filename="r.csv", by=school_user)[1]


def test_the_row_cap_holds_for_ctf_pupils_and_for_blank_rows() -> None:
    ctf = (DATA / "ctf_full.xml").read_bytes()
    pupils = len(parse_return_file(ctf, "ctf.xml", today=TODAY).rows)
    with pytest.raises(UnreadableFile, match=f"more than {pupils - 1} rows"):
        parse_return_file(ctf, "ctf.xml", today=TODAY, max_rows=pupils - 1)
    blank = returns_csv("104512", 1) + b"\r\n" * 20
    with pytest.raises(UnreadableFile, match="more than 10 blank rows"):
        parse_return_file(blank, "r.csv", today=TODAY, max_rows=10)


def test_rows_are_estimated_without_parsing() -> None:
    assert estimate_rows(returns_csv("104512", 40)) == 40
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(31):
        sheet.append([f"cell {n}", n])
    out = io.BytesIO()
    book.save(out)
    assert estimate_rows(out.getvalue()) == 30
    assert estimate_rows((DATA / "ctf_full.xml").read_bytes()) == 2
    assert estimate_rows(zip_bomb(60 << 20)) == 0  # over the cap: refused in the foreground


# --- parse once --------------------------------------------------------------------------------


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of the parser by the import service."""
    calls: list[str] = []
    real = imports_upload.parse_return_file

    def counted(data: bytes, filename: str, **kwargs: Any) -> Any:
        calls.append(filename)
        return real(data, filename, **kwargs)

    monkeypatch.setattr(imports_upload, "parse_return_file", counted)
    return calls


def test_the_file_is_parsed_once_however_often_the_preview_is_viewed(
    school_user: User, parses: list[str]
) -> None:
    client = client_for(school_user)
    response = upload(client, returns_csv(_urn(school_user), 3))
    batch = ImportBatch.objects.get()
    assert response["Location"].endswith(str(batch.public_id) + "/")
    batch.file.delete(save=False)  # the kept file is never read again

    for _ in range(3):
        html = page(client, batch).content.decode()
        assert "Import 3 return(s)" in html and "Example2" in html
    client.post(reverse("referrals:import-commit", args=[batch.public_id]))

    assert parses == ["returns.csv"]
    assert DeletionReturn.objects.filter(import_batch=batch).count() == 3
    batch.refresh_from_db()
    assert batch.state == ImportState.COMMITTED and batch.preview == {}  # copy dropped


def test_the_stored_rows_are_the_parsed_rows_field_for_field() -> None:
    values: dict[str, Any] = {
        "row": 7,
        "return_type": ReturnType.DELETION,
        "school_urn": "104512",
        "surname": "Example",
        "forename": "Amelia",
        "date_of_birth": date(2015, 4, 12),
        "deletion_date": date(2026, 10, 20),
        "lost_pupil": True,
    }
    for name, hint in imports_stored._row_types().items():  # every other field, whatever it is
        if name not in values and hint is str:
            values[name] = f"{name} value"
        elif name not in values and imports_stored._is_date(hint):
            values[name] = date(2026, 9, 1)
    row = ReturnRow(**values)
    batch = ImportBatch(preview=rows_to_store([row]))
    assert stored_rows(batch) == [row]


def test_the_commit_checks_again_what_may_have_changed(officer: User) -> None:
    from cmetrack.testing.factories import SchoolFactory

    school = SchoolFactory()
    batch, _ = import_upload(data=returns_csv(school.urn, 2), filename="r.csv", by=officer)
    school.delete()
    with pytest.raises(ImportRefused, match=f"no school with URN {school.urn} any more"):
        import_commit(batch=batch, valid_only=False, by=officer)
    assert not Submission.objects.exists()


# --- background --------------------------------------------------------------------------------


def test_a_large_file_is_checked_and_committed_by_a_task(
    school_user: User, settings: Settings, parses: list[str]
) -> None:
    """Tasks run at once in the tests (ImmediateBackend): the pages see the result."""
    settings.CMETRACK_IMPORT_BACKGROUND_ROWS = 2
    client = client_for(school_user)
    upload(client, returns_csv(_urn(school_user), 3))
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.CHECKED and parses == ["returns.csv"]
    assert "Import 3 return(s)" in page(client, batch).content.decode()

    client.post(reverse("referrals:import-commit", args=[batch.public_id]))

    batch.refresh_from_db()
    assert batch.committed and DeletionReturn.objects.count() == 3
    assert "Imported" in page(client, batch).content.decode()


def test_the_page_shows_the_progress_and_reloads_itself(school_user: User) -> None:
    client = client_for(school_user)
    batch, _ = import_upload(
        data=returns_csv(_urn(school_user), 2), filename="r.csv", by=school_user
    )
    shown = {
        ImportState.QUEUED: "Waiting to start",
        ImportState.CHECKING: "Checking the file: <strong>1,500 of about 5,000</strong>",
        ImportState.COMMITTING: "Importing: <strong>1,500 of 5,000</strong> rows checked",
    }
    for state, text in shown.items():
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=state, progress_done=1500, progress_total=5000
        )
        response = page(client, batch)
        html = response.content.decode()
        assert text in html and "Refresh this page" in html
        assert response["Refresh"] == "3"
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.CHECKED)
    response = page(client, batch)
    assert "Refresh" not in response and "Import 2 return(s)" in response.content.decode()


def test_the_check_writes_its_progress_as_it_reads(
    officer: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmetrack.testing.factories import SchoolFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.CMETRACK_IMPORT_BACKGROUND_ROWS = 1_000
    batch, preview = import_upload(
        data=returns_csv(SchoolFactory().urn, 1_200), filename="r.csv", by=officer, background=True
    )
    assert preview is None and batch.state == ImportState.QUEUED
    assert batch.progress_total == 1_200  # the estimate
    seen: list[tuple[str, int, int]] = []
    real = imports_upload._ProgressSaver.__call__

    def watched(self: Any, done: int, total: int | None = None) -> None:
        real(self, done, total)
        now = ImportBatch.objects.get(pk=batch.pk)
        seen.append((now.state, now.progress_done, now.progress_total))

    monkeypatch.setattr(imports_upload._ProgressSaver, "__call__", watched)
    run_queued_check(batch_id=batch.pk, user_id=officer.pk)

    assert seen == [("checking", 500, 1_200), ("checking", 1_000, 1_200)]
    batch.refresh_from_db()
    assert batch.state == ImportState.CHECKED and batch.summary["valid"] == 1_200


def test_tasks_are_safe_to_run_again_and_two_at_once(officer: User, settings: Settings) -> None:
    from cmetrack.testing.factories import SchoolFactory

    settings.CMETRACK_IMPORT_BACKGROUND_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    urn = SchoolFactory().urn
    batch, _ = import_upload(
        data=returns_csv(urn, 3), filename="r.csv", by=officer, background=True
    )
    run_queued_check(batch_id=batch.pk, user_id=officer.pk)
    run_queued_check(batch_id=batch.pk, user_id=officer.pk)  # again: nothing changes
    batch.refresh_from_db()
    assert batch.state == ImportState.CHECKED
    imports.import_commit_request(batch=batch, valid_only=False, by=officer)
    batch.refresh_from_db()
    assert batch.state == ImportState.COMMITTING

    # A second worker commits the batch while the first is between its checks and its write.
    def the_other_worker(done: int, total: int | None = None) -> None:
        if done == total:
            import_commit(batch=batch, valid_only=False, by=officer)

    real_saver = imports_upload._ProgressSaver.__call__
    saver: Any = imports_upload._ProgressSaver
    saver.__call__ = lambda self, done, total=None: the_other_worker(done, total)
    try:
        run_queued_commit(batch_id=batch.pk, user_id=officer.pk, valid_only=False)
    finally:
        saver.__call__ = real_saver
    run_queued_commit(batch_id=batch.pk, user_id=officer.pk, valid_only=False)  # a re-run

    assert DeletionReturn.objects.filter(import_batch=batch).count() == 3
    batch.refresh_from_db()
    assert batch.committed and "commit_refused" not in batch.summary


@pytest.mark.parametrize(("persona", "status"), [("agency_user", 403), ("other_school_user", 404)])
def test_the_wrong_user_cannot_see_the_progress_page(
    persona: str, status: int, school_user: User, request: pytest.FixtureRequest
) -> None:
    batch, _ = import_upload(
        data=returns_csv(_urn(school_user), 2), filename="r.csv", by=school_user
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.CHECKING)
    client = client_for(request.getfixturevalue(persona))
    assert page(client, batch).status_code == status
    commit = client.post(reverse("referrals:import-commit", args=[batch.public_id]))
    assert commit.status_code == status
    assert not Submission.objects.exists()


def _worker() -> None:
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_and_the_worker_command_run_the_import(
    school_user: User, settings: Settings, signals_restored: None
) -> None:
    """The real path: tasks stored in the database, run by `cmetrack db_worker` (in-process)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    settings.CMETRACK_IMPORT_BACKGROUND_ROWS = 2
    client = client_for(school_user)
    upload(client, returns_csv(_urn(school_user), 3))
    batch = ImportBatch.objects.get()
    waiting = page(client, batch)
    assert batch.state == ImportState.QUEUED and waiting["Refresh"] == "3"
    assert "Waiting to start" in waiting.content.decode()

    _worker()

    assert "Import 3 return(s)" in page(client, batch).content.decode()
    client.post(reverse("referrals:import-commit", args=[batch.public_id]))
    importing = page(client, batch).content.decode()
    assert "Importing: <strong>0 of 3</strong>" in importing and not Submission.objects.exists()

    _worker()

    assert "Imported" in page(client, batch).content.decode()
    assert DeletionReturn.objects.filter(import_batch=batch).count() == 3
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 2
