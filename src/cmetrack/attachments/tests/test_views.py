"""The attachment pages as their users meet them: attaching from the case page, downloading
with safe headers, removing with a reason; and everyone else refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.attachments.models import Attachment, EvidenceType
from cmetrack.attachments.selectors import attachment_get, case_attachments
from cmetrack.attachments.services import attachment_add, attachment_remove
from cmetrack.cases.models import Case
from cmetrack.conftest import client_for

from .conftest import PDF, stored_files

pytestmark = pytest.mark.usefixtures("files_dir")

PARTNERS = ["school_user", "agency_user", "outsider"]


def attached(case: Case, by: User, name: str = "Tallulah visit.pdf") -> Attachment:
    return attachment_add(
        case=case,
        upload=ContentFile(PDF, name=name),
        evidence_type=EvidenceType.SCANNED_LETTER,
        description="Letter returned: not known at this address",
        by=by,
    )


def add_url(case: Case) -> str:
    return reverse("attachments:add", args=[case.public_id])


def views_of(obj: Any) -> int:
    return LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.ACCESS).count()


# --- the selectors ------------------------------------------------------------------------


def test_the_team_sees_a_cases_attachments_and_partners_see_none(
    case: Case, officer: User, manager: User, school_user: User, agency_user: User, outsider: User
) -> None:
    attachment = attached(case, officer)

    assert list(case_attachments(user=manager, case=case)) == [attachment]
    for user in (school_user, agency_user, outsider):
        assert not case_attachments(user=user, case=case).exists()
        with pytest.raises(Exception, match="No such attachment"):
            attachment_get(user=user, public_id=attachment.public_id)


# --- attaching ----------------------------------------------------------------------------


def test_the_add_page_says_what_may_be_attached_and_records_the_view(
    case: Case, officer: User
) -> None:
    response = client_for(officer).get(add_url(case))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Attach evidence" in page and "smaller than 20 MB" in page
    assert 'enctype="multipart/form-data"' in page
    assert views_of(case) == 1 and views_of(case.child) == 1


def test_attaching_from_the_page_goes_back_to_the_case_with_the_evidence_listed(
    case: Case, officer: User
) -> None:
    client = client_for(officer)
    response = client.post(
        add_url(case),
        {
            "evidence_type": "home_visit_note",
            "description": "No answer",
            "file": SimpleUploadedFile("visit.pdf", PDF, content_type="text/html"),
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.public_id}/#attachments")
    attachment = Attachment.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Attachment added" in page
    assert "Attachment added: Home-visit note" in page  # the timeline
    assert reverse("attachments:download", args=[attachment.public_id]) in page
    assert reverse("attachments:remove", args=[attachment.public_id]) in page


def test_a_refused_file_is_shown_on_the_form_and_nothing_is_kept(
    case: Case, officer: User, files_dir: Path
) -> None:
    response = client_for(officer).post(
        add_url(case),
        {
            "evidence_type": "scanned_letter",
            "file": SimpleUploadedFile("letter.pdf", b"<html><script>alert(1)</script></html>"),
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Error: Attach evidence" in page
    assert "this one is a web page (HTML or XML)" in page
    assert not Attachment.objects.exists() and not stored_files(files_dir)


def test_the_form_asks_for_a_file_and_what_it_is(case: Case, officer: User) -> None:
    response = client_for(officer).post(add_url(case), {"evidence_type": "spyware"})

    page = response.content.decode()
    assert "Select a file" in page
    assert "Choose what the evidence is" in page
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("persona", PARTNERS)
def test_partners_may_not_open_or_post_the_add_page(
    case: Case, persona: str, request: pytest.FixtureRequest, files_dir: Path
) -> None:
    client = client_for(request.getfixturevalue(persona))

    assert client.get(add_url(case)).status_code == 403
    upload = SimpleUploadedFile("visit.pdf", PDF)
    response = client.post(add_url(case), {"evidence_type": "other", "file": upload})
    assert response.status_code == 403
    assert not Attachment.objects.exists() and not stored_files(files_dir)


def test_anonymous_users_are_sent_to_sign_in(case: Case, officer: User) -> None:
    attachment = attached(case, officer)
    client = client_for(None)

    for url in (
        add_url(case),
        reverse("attachments:download", args=[attachment.public_id]),
        reverse("attachments:remove", args=[attachment.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/")


# --- downloading --------------------------------------------------------------------------


def test_a_download_is_an_attachment_with_safe_headers_and_is_audited(
    case: Case, officer: User
) -> None:
    attachment = attached(case, officer, name='Tallulah "quoted"\r\nname.pdf')

    response = client_for(officer).get(reverse("attachments:download", args=[attachment.public_id]))

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Tallulah -quoted-name.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert views_of(attachment) == 1


@pytest.mark.parametrize("persona", PARTNERS)
def test_partners_may_not_download(
    case: Case, officer: User, persona: str, request: pytest.FixtureRequest
) -> None:
    attachment = attached(case, officer)
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("attachments:download", args=[attachment.public_id]))

    assert response.status_code == 403
    assert PDF not in response.content
    assert views_of(attachment) == 0


def test_an_unknown_or_removed_attachment_is_not_found(case: Case, officer: User) -> None:
    attachment = attached(case, officer)
    attachment_remove(attachment=attachment, reason="Wrong case", by=officer)
    client = client_for(officer)

    assert (
        client.get(reverse("attachments:download", args=[attachment.public_id])).status_code == 404
    )
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("attachments:download", args=[unknown])).status_code == 404


def test_a_download_is_get_only(case: Case, officer: User) -> None:
    attachment = attached(case, officer)

    response = client_for(officer).post(
        reverse("attachments:download", args=[attachment.public_id])
    )

    assert response.status_code == 405


# --- removing -----------------------------------------------------------------------------


def test_removing_from_the_page_needs_a_reason(case: Case, officer: User) -> None:
    attachment = attached(case, officer)
    url = reverse("attachments:remove", args=[attachment.public_id])
    client = client_for(officer)

    page = client.get(url).content.decode()
    assert "Remove an attachment" in page and "Tallulah visit.pdf" in page
    response = client.post(url, {"reason": "  "})
    assert "Say why the attachment is being removed" in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.removed_at is None


def test_removing_from_the_page_deletes_the_file_and_the_case_shows_it_removed(
    case: Case,
    officer: User,
    files_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    attachment = attached(case, officer)
    client = client_for(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("attachments:remove", args=[attachment.public_id]),
            {"reason": "Attached to the wrong case"},
        )

    assert response.status_code == 302
    assert not stored_files(files_dir)
    page = client.get(response["Location"]).content.decode()
    assert "Attachment removed: Scanned letter" in page
    assert "Attached to the wrong case" in page
    assert reverse("attachments:download", args=[attachment.public_id]) not in page
    # A second visit to the removal page is sent back to the case.
    again = client.get(reverse("attachments:remove", args=[attachment.public_id]))
    assert again.status_code == 302


@pytest.mark.parametrize("persona", PARTNERS)
def test_partners_may_not_remove(
    case: Case, officer: User, persona: str, request: pytest.FixtureRequest, files_dir: Path
) -> None:
    attachment = attached(case, officer)
    client = client_for(request.getfixturevalue(persona))

    response = client.post(
        reverse("attachments:remove", args=[attachment.public_id]), {"reason": "Gone"}
    )

    assert response.status_code == 403
    attachment.refresh_from_db()
    assert attachment.removed_at is None and len(stored_files(files_dir)) == 1


def test_the_case_page_has_an_attachments_section_even_with_none(case: Case, officer: User) -> None:
    page = client_for(officer).get(reverse("cases:detail", args=[case.public_id])).content.decode()

    assert 'id="attachments"' in page
    assert "No evidence attached." in page
    assert add_url(case) in page
