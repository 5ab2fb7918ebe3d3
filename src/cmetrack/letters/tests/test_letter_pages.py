"""The letter pages as each role meets them: the team previews, produces and downloads; an
administrator keeps the templates; the blank forms are public; everyone else is refused."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.conftest import client_for
from cmetrack.letters.docbuilder import as_bytes, new_document, para
from cmetrack.letters.models import Letter, LetterTemplate
from cmetrack.letters.services import letter_produce

pytestmark = pytest.mark.django_db


def _preview_url(case: Case, slug: str) -> str:
    return reverse("letters:preview", args=[case.public_id, slug])


def test_the_preview_shows_the_filled_letter_and_records_the_view(
    full_case: Case, officer: User
) -> None:
    response = client_for(officer).get(_preview_url(full_case, "parent-absence"))

    assert response.status_code == 200
    assert "Dear Marta Kowalska," in response.content.decode()
    assert (
        LogEntry.objects.get_for_object(full_case.child)
        .filter(action=LogEntry.Action.ACCESS)
        .exists()
    )
    assert Letter.objects.count() == 0  # seeing is not producing


def test_a_preview_the_case_cannot_fill_says_what_is_missing_and_offers_no_button(
    bare_case: Case, officer: User
) -> None:
    response = client_for(officer).get(_preview_url(bare_case, "parent-absence"))
    page = response.content.decode()

    assert "This letter cannot be produced yet" in page
    assert "This letter needs parent_name" in page
    assert "Produce the letter" not in page


def test_producing_from_the_preview_stores_the_letter_and_lists_it(
    full_case: Case, officer: User
) -> None:
    client = client_for(officer)

    response = client.post(_preview_url(full_case, "calling-card"))

    letter = Letter.objects.get(case=full_case)
    assert response.status_code == 302
    listing = client.get(reverse("letters:case", args=[full_case.public_id])).content.decode()
    assert reverse("letters:download", args=[letter.public_id, "docx"]) in listing


def test_a_post_the_case_cannot_fill_writes_nothing(bare_case: Case, officer: User) -> None:
    response = client_for(officer).post(_preview_url(bare_case, "parent-absence"))

    assert response.status_code == 422
    assert Letter.objects.count() == 0


def test_a_download_is_a_word_attachment_named_by_reference_and_audited(
    full_case: Case, officer: User
) -> None:
    letter = letter_produce(
        case=full_case, template=LetterTemplate.objects.get(slug="calling-card"), by=officer
    )

    response = client_for(officer).get(reverse("letters:download", args=[letter.public_id, "docx"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{full_case.reference}-calling-card.docx"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert LogEntry.objects.get_for_object(letter).filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_are_refused_every_letter_page(
    full_case: Case, officer: User, persona: str, request: pytest.FixtureRequest
) -> None:
    letter = letter_produce(
        case=full_case, template=LetterTemplate.objects.get(slug="calling-card"), by=officer
    )
    client = client_for(request.getfixturevalue(persona))

    for url in [
        reverse("letters:case", args=[full_case.public_id]),
        _preview_url(full_case, "calling-card"),
        reverse("letters:download", args=[letter.public_id, "docx"]),
        reverse("letters:templates"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(_preview_url(full_case, "calling-card")).status_code == 403
    assert Letter.objects.count() == 1


def test_an_officer_may_not_change_templates(officer: User) -> None:
    client = client_for(officer)
    assert client.get(reverse("letters:templates")).status_code == 403
    upload = SimpleUploadedFile("t.docx", b"x")
    response = client.post(
        reverse("letters:template-upload", args=["calling-card"]), {"file": upload, "note": "x"}
    )
    assert response.status_code == 403


def test_an_administrator_uploads_a_new_version_through_the_page(admin_user: User) -> None:
    document = new_document()
    para(document, "Called on {{ today }}. Ring {{ authority_phone }}, ref {{ case_reference }}.")
    upload = SimpleUploadedFile("card.docx", as_bytes(document))

    response = client_for(admin_user).post(
        reverse("letters:template-upload", args=["calling-card"]),
        {"file": upload, "note": "Shorter"},
    )

    assert response.status_code == 302
    template = LetterTemplate.objects.get(slug="calling-card")
    assert template.versions.get(is_current=True).number == 2


def test_an_upload_with_an_unknown_placeholder_is_shown_as_an_error_on_the_form(
    admin_user: User,
) -> None:
    document = new_document()
    para(document, "{{ child_favourite_colour }}")
    upload = SimpleUploadedFile("card.docx", as_bytes(document))

    response = client_for(admin_user).post(
        reverse("letters:template-upload", args=["calling-card"]), {"file": upload, "note": "x"}
    )

    assert response.status_code == 400
    assert "child_favourite_colour, which cmetrack does not know" in response.content.decode()
    assert LetterTemplate.objects.get(slug="calling-card").versions.count() == 1


def test_anyone_may_download_a_blank_form_with_the_authority_details() -> None:
    response = Client().get(reverse("letters:blank-form", args=["blank-referral-form", "docx"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="blank-referral-form.docx"'


def test_a_case_letter_is_not_a_blank_form() -> None:
    response = Client().get(reverse("letters:blank-form", args=["parent-absence", "docx"]))

    assert response.status_code == 404
