"""Attaching and removing evidence: what is written, what a refusal leaves (nothing), and what
never reaches the timeline (the file's name)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.utils import timezone
from pytest_django import Settings

from cmetrack.accounts.models import User
from cmetrack.attachments import services
from cmetrack.attachments.models import Attachment, EvidenceType
from cmetrack.attachments.services import (
    AttachmentError,
    attachment_add,
    attachment_content,
    attachment_remove,
)
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.cases.services import CaseError
from cmetrack.uploads.checks import UploadProblem

from .conftest import HOME_VISIT_NOTE, PDF, PNG, docx, stored_files

pytestmark = pytest.mark.usefixtures("files_dir")

NAMED_FILE = "Tallulah Wrexham-Pryce home visit.pdf"


def add(
    case: Case,
    by: User,
    content: bytes = PDF,
    name: str = NAMED_FILE,
    *,
    evidence_type: str = EvidenceType.HOME_VISIT_NOTE,
    description: str = "No answer at the door",
) -> Attachment:
    return attachment_add(
        case=case,
        upload=ContentFile(content, name=name),
        evidence_type=evidence_type,
        description=description,
        by=by,
    )


def events(case: Case, kind: EventKind) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def test_attaching_stores_the_file_under_an_opaque_name_and_records_what_it_is(
    case: Case, officer: User, files_dir: Path
) -> None:
    attachment = add(case, officer)

    assert attachment.file_kind == "pdf"
    assert attachment.size == len(PDF)
    assert attachment.original_name == "Tallulah Wrexham-Pryce home visit.pdf"
    assert attachment.uploaded_by == officer
    assert attachment.description == "No answer at the door"
    assert attachment.stored_file == f"attachments/{attachment.public_id.hex}"
    [stored] = stored_files(files_dir)
    assert stored.read_bytes() == PDF
    # Neither the child's name nor the uploader's file name is on disk.
    assert "Tallulah" not in str(stored) and "visit" not in str(stored)
    assert attachment_content(attachment=attachment) == PDF


def test_the_timeline_gets_the_evidence_label_and_never_the_file_name(
    case: Case, officer: User
) -> None:
    add(case, officer, content=PNG, name="Tallulah at the door.png", evidence_type="photograph")

    [event] = events(case, EventKind.ATTACHMENT_ADDED)
    assert event.payload == {"kind_label": "Photograph"}
    assert event.actor == officer


def test_attaching_is_audited_with_the_officer_as_actor(case: Case, officer: User) -> None:
    attachment = add(case, officer)

    entry = LogEntry.objects.get_for_object(attachment).get(action=LogEntry.Action.CREATE)
    assert entry.actor == officer


def test_the_file_is_named_by_what_it_is_not_what_it_was_called(case: Case, officer: User) -> None:
    attachment = add(case, officer, content=HOME_VISIT_NOTE, name="../../etc/visit.pdf.exe")

    assert attachment.file_kind == "text"
    assert attachment.original_name == "visit-pdf.txt"


def test_the_same_file_attached_twice_is_two_attachments_with_two_stored_files(
    case: Case, officer: User, files_dir: Path
) -> None:
    first, second = add(case, officer), add(case, officer)

    assert first.sha256 == second.sha256
    assert first.stored_file != second.stored_file
    assert len(stored_files(files_dir)) == 2


HOSTILE = {
    "a renamed program": (b"MZ\x90\x00\x03" + b"\x00" * 200, "letter.pdf", "a Windows program"),
    "a web page called .pdf": (
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "letter.pdf",
        "a web page",
    ),
    "a Word document with macros": (
        docx("word/vbaProject.bin"),
        "visit.docx",
        "a document with macros",
    ),
    "an empty file": (b"", "visit.pdf", "The selected file is empty"),
    "an SVG called .png": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "photo.png",
        "a web page",
    ),
}


@pytest.mark.parametrize("content,name,message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_or_wrong_file_is_refused_and_writes_nothing(
    case: Case, officer: User, files_dir: Path, content: bytes, name: str, message: str
) -> None:
    with pytest.raises(UploadProblem, match=message):
        add(case, officer, content=content, name=name)

    assert not Attachment.objects.exists()
    assert not stored_files(files_dir)
    assert not events(case, EventKind.ATTACHMENT_ADDED)


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_message(
    case: Case, officer: User, files_dir: Path, settings: Settings
) -> None:
    settings.CMETRACK_ATTACHMENT_MAX_BYTES = 1024 * 1024
    too_big = PDF + b"0" * (1024 * 1024)

    with pytest.raises(UploadProblem, match="must be smaller than 1 MB"):
        add(case, officer, content=too_big)

    assert not Attachment.objects.exists()
    assert not stored_files(files_dir)


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_only_the_cme_team_may_attach(
    case: Case, persona: str, request: pytest.FixtureRequest, files_dir: Path
) -> None:
    user: User = request.getfixturevalue(persona)

    with pytest.raises(CaseError, match="CME team"):
        add(case, user)

    assert not Attachment.objects.exists()
    assert not stored_files(files_dir)


def test_a_deactivated_officer_may_not_attach(case: Case, officer: User) -> None:
    officer.is_active = False
    officer.save()

    with pytest.raises(CaseError):
        add(case, officer)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("evidence_type", "malware", "Choose what the evidence is"),
        ("evidence_type", "", "Choose what the evidence is"),
        ("description", "x" * 201, "200 characters or fewer"),
    ],
)
def test_a_bad_evidence_type_or_description_is_refused_before_anything_is_stored(
    case: Case, officer: User, files_dir: Path, field: str, value: str, message: str
) -> None:
    with pytest.raises(AttachmentError, match=message):
        if field == "evidence_type":
            add(case, officer, evidence_type=value)
        else:
            add(case, officer, description=value)

    assert not stored_files(files_dir)


def test_the_description_is_kept_on_one_line(case: Case, officer: User) -> None:
    attachment = add(case, officer, description="  Spoke to\r\nneighbour\t ")

    assert attachment.description == "Spoke to neighbour"


def failing(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the database went away")


def test_a_failure_after_the_file_is_stored_deletes_it_and_writes_no_row(
    case: Case, officer: User, files_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "case_document_event", failing)

    with pytest.raises(RuntimeError):
        add(case, officer)

    assert not Attachment.objects.exists()
    assert not stored_files(files_dir)


def test_evidence_cannot_be_attached_to_an_anonymised_child(
    case: Case, officer: User, files_dir: Path
) -> None:
    case.child.anonymised_at = timezone.now()
    case.child.save()

    with pytest.raises(AttachmentError, match="anonymised"):
        add(case, officer)

    assert not stored_files(files_dir)


# --- removing ------------------------------------------------------------------------------


def test_removing_keeps_the_row_writes_the_event_and_deletes_the_file_once_committed(
    case: Case,
    officer: User,
    manager: User,
    files_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    attachment = add(case, officer)

    with django_capture_on_commit_callbacks() as callbacks:
        attachment_remove(attachment=attachment, reason="Attached to the wrong case", by=manager)
        # Not before the removal commits: a rollback must find its file still there.
        assert len(stored_files(files_dir)) == 1
    for callback in callbacks:
        callback()

    attachment.refresh_from_db()
    assert attachment.removed_by == manager
    assert attachment.removal_reason == "Attached to the wrong case"
    assert attachment.removed_at is not None
    assert attachment.uploaded_by == officer  # who attached it is kept
    assert not stored_files(files_dir)
    [event] = events(case, EventKind.ATTACHMENT_REMOVED)
    assert event.payload == {"kind_label": "Home-visit note"}
    with pytest.raises(AttachmentError, match="removed"):
        attachment_content(attachment=attachment)


def test_removing_twice_is_refused(case: Case, officer: User) -> None:
    attachment = add(case, officer)
    attachment_remove(attachment=attachment, reason="Duplicate", by=officer)

    with pytest.raises(AttachmentError, match="already been removed"):
        attachment_remove(attachment=attachment, reason="Duplicate", by=officer)

    assert len(events(case, EventKind.ATTACHMENT_REMOVED)) == 1


@pytest.mark.parametrize("reason", ["", "   \n\t"])
def test_removing_needs_a_reason(case: Case, officer: User, reason: str) -> None:
    attachment = add(case, officer)

    with pytest.raises(AttachmentError, match="Say why"):
        attachment_remove(attachment=attachment, reason=reason, by=officer)

    attachment.refresh_from_db()
    assert attachment.removed_at is None


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_only_the_cme_team_may_remove(
    case: Case, officer: User, persona: str, request: pytest.FixtureRequest, files_dir: Path
) -> None:
    attachment = add(case, officer)
    user: User = request.getfixturevalue(persona)

    with pytest.raises(CaseError):
        attachment_remove(attachment=attachment, reason="Not needed", by=user)

    attachment.refresh_from_db()
    assert attachment.removed_at is None
    assert len(stored_files(files_dir)) == 1
