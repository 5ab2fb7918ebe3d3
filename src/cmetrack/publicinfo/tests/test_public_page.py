"""The public page: anyone reads it without signing in; a manager changes its words and
publishes documents, which are checked on upload and served only as downloads."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.publicinfo.models import InformationPage, PublishedDocument
from cmetrack.publicinfo.services import (
    PageRefused,
    information_page_update,
    published_document_add,
    published_document_remove,
)
from cmetrack.uploads.checks import UploadProblem

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def _stored() -> list[str]:
    """The published files in storage (in memory for the whole test process: compare)."""
    if not default_storage.exists("publicinfo"):
        return []
    return sorted(default_storage.listdir("publicinfo")[1])


def test_anyone_reads_the_page_with_the_shipped_wording_the_number_and_the_blank_forms() -> None:
    page = Client().get(reverse("publicinfo:page")).content.decode()

    assert "Children missing education" in page
    assert "section 436A of the Education Act 1996" in page
    assert "0345 140 0845" in page  # the contact centre number (settings, from the seed page)
    assert reverse("referrals:concern") in page
    assert reverse("letters:blank-form", args=["blank-referral-form", "pdf"]) in page
    assert "edit the text" not in page


def test_a_manager_changes_the_words_and_everyone_sees_them_escaped(manager: User) -> None:
    client = client_for(manager)

    response = client.post(
        reverse("publicinfo:edit"),
        {
            "what_is_cme": "Our words.\n\nA second <script>alert(1)</script> paragraph.",
            "how_to_refer": "Ring us.",
            "contact": "Ring 0151 000 0000.",
        },
    )

    assert response.status_code == 302
    page = Client().get(reverse("publicinfo:page")).content.decode()
    assert "<p>Our words.</p>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert LogEntry.objects.get_for_model(InformationPage).filter(actor=manager).exists()


def test_an_empty_section_is_refused_with_an_error(manager: User) -> None:
    response = client_for(manager).post(
        reverse("publicinfo:edit"), {"what_is_cme": "", "how_to_refer": "x", "contact": "y"}
    )

    assert response.status_code == 400
    assert not InformationPage.objects.exists()


def test_an_officer_may_not_change_the_page(officer: User) -> None:
    with pytest.raises(PageRefused):
        information_page_update(what_is_cme="x", how_to_refer="y", contact="z", by=officer)
    assert client_for(officer).get(reverse("publicinfo:edit")).status_code == 403


def test_a_published_pdf_is_listed_and_downloads_as_an_attachment(manager: User) -> None:
    upload = SimpleUploadedFile("CME guidance (final).pdf", PDF)
    response = client_for(manager).post(
        reverse("publicinfo:document-add"), {"title": "Statutory guidance", "file": upload}
    )
    assert response.status_code == 302
    document = PublishedDocument.objects.get()

    page = Client().get(reverse("publicinfo:page")).content.decode()
    download = Client().get(reverse("publicinfo:document", args=[document.public_id]))

    assert "Statutory guidance" in page
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "CME guidance (final).pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    # Stored under an opaque name, not the uploader's.
    assert "guidance" not in document.stored_name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("guidance.pdf", b"<html><script>alert(1)</script></html>", "must be"),
        ("form.docx", b"MZ\x90\x00 a program", "must be"),
        ("empty.pdf", b"", "empty"),
    ],
    ids=["html-called-pdf", "program-called-docx", "empty"],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_stored(
    manager: User, name: str, content: bytes, message: str
) -> None:
    before = _stored()

    with pytest.raises(UploadProblem, match=message):
        published_document_add(
            upload=content, filename=name, title="Guidance", description="", by=manager
        )

    assert not PublishedDocument.objects.exists() and _stored() == before


def test_a_refused_upload_through_the_page_shows_the_reason(manager: User) -> None:
    upload = SimpleUploadedFile("guidance.pdf", b"<svg onload=alert(1)>")
    response = client_for(manager).post(
        reverse("publicinfo:document-add"), {"title": "Guidance", "file": upload}
    )

    assert response.status_code == 400
    assert "The selected file must be" in response.content.decode()


def test_removing_a_document_takes_it_off_the_page_and_deletes_the_file(
    manager: User, django_capture_on_commit_callbacks: object
) -> None:
    document = published_document_add(
        upload=PDF, filename="g.pdf", title="Old guidance", description="", by=manager
    )

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        published_document_remove(document=document, by=manager)

    assert not PublishedDocument.objects.exists()
    assert not default_storage.exists(document.stored_name)
    gone = Client().get(reverse("publicinfo:document", args=[document.public_id]))
    assert gone.status_code == 404
