"""Producing a letter stores it against the case (who, when, which version), puts it on the
timeline, and is in the subject access export; a new template version leaves old letters on
the version they were made from; retention removes the files and keeps the record."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from cmetrack.accounts.models import User
from cmetrack.cases.events import EventKind, describe
from cmetrack.cases.models import Case
from cmetrack.letters.defaults import SHIPPED
from cmetrack.letters.docbuilder import as_bytes, new_document, para
from cmetrack.letters.models import Letter, LetterTemplate
from cmetrack.letters.rendering import LetterProblem, docx_text
from cmetrack.letters.services import (
    LetterRefused,
    letter_fill,
    letter_produce,
    letters_remove_files_of,
    shipped_templates_install,
    template_create,
    template_version_upload,
)
from cmetrack.privacy.subject_access import subject_access_document

from .conftest import needs_libreoffice

pytestmark = pytest.mark.django_db


def _docx(text: str) -> bytes:
    document = new_document()
    para(document, text)
    return as_bytes(document)


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def test_a_produced_letter_is_stored_with_who_when_and_the_version(
    full_case: Case, officer: User
) -> None:
    template = LetterTemplate.objects.get(slug="parent-absence")

    letter = letter_produce(case=full_case, template=template, by=officer)

    assert (letter.case, letter.produced_by, letter.template_version.number) == (
        full_case,
        officer,
        1,
    )
    assert "Amelia Rose Kowalski" in docx_text(_read(letter.docx_file))
    assert letter.download_stem == f"{full_case.reference}-parent-absence"
    # The stored name is opaque: no child's name in storage.
    assert "Kowalski" not in letter.docx_file


def test_a_produced_letter_has_a_pdf_made_from_the_same_document(
    full_case: Case, officer: User
) -> None:
    needs_libreoffice()
    letter = letter_produce(
        case=full_case, template=LetterTemplate.objects.get(slug="calling-card"), by=officer
    )

    assert _read(letter.pdf_file).startswith(b"%PDF-")


def test_producing_a_letter_puts_a_line_on_the_timeline(full_case: Case, officer: User) -> None:
    template = LetterTemplate.objects.get(slug="calling-card")

    letter = letter_produce(case=full_case, template=template, by=officer)

    event = full_case.events.get(kind=EventKind.LETTER_PRODUCED)
    assert event.actor == officer
    assert event.payload == {
        "template": "Home-visit calling card",
        "version": 1,
        "letter": str(letter.public_id),
    }
    assert describe(event.kind, event.payload) == (
        "Letter produced: Home-visit calling card (template version 1)"
    )


def test_the_subject_access_export_lists_the_childs_letters(full_case: Case, officer: User) -> None:
    letter = letter_produce(
        case=full_case, template=LetterTemplate.objects.get(slug="calling-card"), by=officer
    )

    document = str(subject_access_document(full_case.child))

    assert str(letter.public_id) in document
    assert "Home-visit calling card" in document


def test_a_new_version_is_used_from_then_on_and_old_letters_keep_theirs(
    full_case: Case, officer: User, admin_user: User
) -> None:
    template = LetterTemplate.objects.get(slug="calling-card")
    first = letter_produce(case=full_case, template=template, by=officer)

    version = template_version_upload(
        template=template,
        content=_docx("We called today. Ring {{ authority_phone }} about {{ case_reference }}."),
        note="Shorter wording",
        by=admin_user,
    )
    second = letter_produce(case=full_case, template=template, by=officer)

    first.refresh_from_db()
    assert (first.template_version.number, second.template_version.number) == (1, 2)
    assert version.is_current and version.placeholders == ["authority_phone", "case_reference"]
    assert template.versions.filter(is_current=True).count() == 1
    assert "We called today" in docx_text(_read(second.docx_file))


def test_only_an_administrator_may_upload_a_version(officer: User, manager: User) -> None:
    template = LetterTemplate.objects.get(slug="calling-card")
    for user in (officer, manager):
        with pytest.raises(LetterRefused):
            template_version_upload(
                template=template, content=_docx("{{ today }}"), note="x", by=user
            )
    assert template.versions.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 a pdf, not a template", "must be a Word document"),
        (b"", "empty"),
        (None, "may use only"),
    ],
    ids=["a-pdf", "empty", "case-data-in-a-blank-form"],
)
def test_a_bad_upload_is_refused_and_writes_nothing(
    admin_user: User, content: bytes | None, message: str
) -> None:
    template = LetterTemplate.objects.get(slug="blank-referral-form")
    upload = content if content is not None else _docx("Child: {{ child_full_name }}")

    with pytest.raises(LetterProblem, match=message):
        template_version_upload(template=template, content=upload, note="x", by=admin_user)

    assert template.versions.count() == 1


def test_an_administrator_adds_a_template_of_their_own(
    admin_user: User, full_case: Case, officer: User
) -> None:
    template = template_create(
        title="Letter to the GP",
        purpose="Asks the GP whether the child is registered.",
        kind="case",
        content=_docx("Dear Doctor, is {{ child_full_name }} registered with you?"),
        by=admin_user,
    )

    filled = letter_fill(case=full_case, template=template, by=officer)

    assert template.slug == "letter-to-the-gp"
    assert "is Amelia Rose Kowalski registered" in docx_text(filled.docx)


def test_installing_the_shipped_templates_again_changes_nothing(admin_user: User) -> None:
    template = LetterTemplate.objects.get(slug="calling-card")
    template_version_upload(
        template=template,
        content=_docx("{{ today }} {{ case_reference }}"),
        note="x",
        by=admin_user,
    )

    assert shipped_templates_install() == 0
    assert template.versions.count() == 2
    assert LetterTemplate.objects.filter(shipped=True).count() == len(SHIPPED)


def test_letters_cannot_be_produced_by_anyone_outside_the_team(
    full_case: Case, school_user: User, agency_user: User
) -> None:
    template = LetterTemplate.objects.get(slug="calling-card")
    for user in (school_user, agency_user):
        with pytest.raises(LetterRefused):
            letter_produce(case=full_case, template=template, by=user)
    assert Letter.objects.count() == 0


def test_retention_removes_the_files_after_commit_and_keeps_the_record(
    full_case: Case, officer: User, django_capture_on_commit_callbacks: object
) -> None:
    letter = letter_produce(
        case=full_case, template=LetterTemplate.objects.get(slug="calling-card"), by=officer
    )
    name = letter.docx_file

    with (
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
        transaction.atomic(),
    ):
        assert letters_remove_files_of(cases=Case.objects.filter(pk=full_case.pk)) == 1
        assert default_storage.exists(name)  # not before the transaction commits

    letter.refresh_from_db()
    assert letter.files_removed_at is not None and letter.docx_file == ""
    assert not default_storage.exists(name)
