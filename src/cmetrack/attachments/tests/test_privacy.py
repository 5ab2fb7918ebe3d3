"""Attachments in the privacy work: the subject access export lists them (without the internal
stored path), and anonymising a child deletes their files and scrubs the names and
descriptions, keeping who attached what and when."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile

from cmetrack.accounts.models import User
from cmetrack.attachments.models import Attachment, EvidenceType
from cmetrack.attachments.services import attachment_add, attachment_remove
from cmetrack.cases.models import Case
from cmetrack.cases.services import case_close
from cmetrack.cases.status import Status
from cmetrack.privacy.retention import child_anonymise
from cmetrack.privacy.subject_access import records_about, subject_access_document
from cmetrack.testing.factories import CaseFactory

from .conftest import HOME_VISIT_NOTE, PDF, stored_files

pytestmark = pytest.mark.usefixtures("files_dir")


def attach(case: Case, by: User, content: bytes, name: str, description: str) -> Attachment:
    return attachment_add(
        case=case,
        upload=ContentFile(content, name=name),
        evidence_type=EvidenceType.HOME_VISIT_NOTE,
        description=description,
        by=by,
    )


def test_the_subject_access_export_lists_the_attachments_without_the_stored_path(
    case: Case, officer: User
) -> None:
    attachment = attach(case, officer, PDF, "Tallulah visit.pdf", "Seen at the window")

    document = subject_access_document(case.child)

    [exported] = document["cases"][0]["related"]["attachments.attachment"]
    assert exported["public_id"] == str(attachment.public_id)
    assert exported["evidence_type"] == {"code": "home_visit_note", "label": "Home-visit note"}
    assert exported["original_name"] == "Tallulah visit.pdf"
    assert exported["description"] == "Seen at the window"
    assert exported["uploaded_by"]["id"] == str(officer.public_id)
    assert "stored_file" not in exported
    assert attachment.public_id.hex not in json.dumps(document)
    assert attachment in records_about(case.child)  # and so on the child's audit page
    assert any(e["record"] == "attachment" for e in document["audit_trail"])


def old_case() -> Case:
    """An open case of a child long past the retention age (closed by the test)."""
    return CaseFactory(
        child__forenames="Tallulah",
        child__surname="Wrexham-Pryce",
        child__date_of_birth=date(1995, 4, 2),
        status=Status.ENQUIRIES,
        referral_date=date(2010, 1, 4),
    )


def test_anonymising_deletes_the_files_and_scrubs_names_and_descriptions(
    officer: User,
    manager: User,
    files_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    case = old_case()
    kept = attach(case, officer, PDF, "Tallulah Wrexham-Pryce letter.pdf", "Tallulah's letter")
    removed = attach(case, officer, HOME_VISIT_NOTE, "Tallulah note.txt", "Tallulah at home")
    attachment_remove(attachment=removed, reason="Tallulah's sister's note", by=officer)
    case_close(case=case, outcome="on_roll_here", by=manager, closed_on=date(2010, 3, 1))
    other = attach(CaseFactory(), officer, PDF, "Someone else.pdf", "Another child")
    assert len(stored_files(files_dir)) == 3  # the removal's deletion has not run (no commit)

    with django_capture_on_commit_callbacks(execute=True):
        child_anonymise(child=case.child)

    assert [p.name for p in stored_files(files_dir)] == [other.public_id.hex]
    for attachment in (kept, removed):
        attachment.refresh_from_db()
        assert attachment.original_name == "" and attachment.description == ""
        assert attachment.removal_reason == "" and attachment.sha256 == ""
        assert attachment.removed_at is not None
        # Who attached what and when stays.
        assert attachment.uploaded_by == officer
        assert attachment.evidence_type == EvidenceType.HOME_VISIT_NOTE
    assert kept.removed_by is None  # removed by retention, not by anyone
    assert kept.download_name == "home_visit_note.pdf"
    other.refresh_from_db()
    assert other.original_name == "Someone else.pdf" and other.removed_at is None
    audit = json.dumps(
        [
            [e.object_repr, e.changes, e.changes_text]
            for e in LogEntry.objects.get_for_objects(Attachment.objects.filter(case=case))
        ]
    )
    assert "Tallulah" not in audit


def test_anonymising_a_child_whose_file_is_already_gone_is_no_error(
    officer: User,
    manager: User,
    files_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    case = old_case()
    attachment = attach(case, officer, PDF, "letter.pdf", "")
    (files_dir / attachment.stored_file).unlink()
    case_close(case=case, outcome="on_roll_here", by=manager, closed_on=date(2010, 3, 1))

    with django_capture_on_commit_callbacks(execute=True):
        child_anonymise(child=case.child)

    attachment.refresh_from_db()
    assert attachment.removed_at is not None
