"""Every shipped template, filled from a case that has everything, as Word and as PDF: the
case's details are in it and no placeholder is left."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.letters.context import blank_context, case_context
from cmetrack.letters.defaults import SHIPPED
from cmetrack.letters.models import LetterTemplate, TemplateKind
from cmetrack.letters.pdf import docx_to_pdf
from cmetrack.letters.placeholders import AUTHORITY_ONLY, KNOWN
from cmetrack.letters.rendering import docx_text, render_docx, template_variables
from cmetrack.letters.services import blank_form_render, letter_fill

from .conftest import needs_libreoffice

pytestmark = pytest.mark.django_db

CASE_LETTERS = [s for s in SHIPPED if s.kind == TemplateKind.CASE_LETTER]
BLANK_FORMS = [s for s in SHIPPED if s.kind == TemplateKind.BLANK_FORM]
LEFT_OVER = re.compile(r"\{\{|\}\}|\{%|%\}")


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text by poppler's pdftotext, so the check reads what a printer would print."""
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf)
    tool = shutil.which("pdftotext")
    if tool is None:
        # CI installs poppler-utils with LibreOffice: there a missing reader is a failure.
        if os.environ.get("CMETRACK_REQUIRE_LIBREOFFICE"):
            pytest.fail("CMETRACK_REQUIRE_LIBREOFFICE is set but pdftotext is not installed")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run([tool, "-layout", str(source), "-"], capture_output=True, check=True)  # noqa: S603
    return done.stdout.decode()


def test_every_shipped_template_is_installed_as_version_one() -> None:
    for shipped in SHIPPED:
        template = LetterTemplate.objects.get(slug=shipped.slug)
        (version,) = template.versions.all()
        assert (version.number, version.is_current, template.shipped) == (1, True, True)


def test_shipped_templates_use_only_known_placeholders_and_blank_forms_only_the_authority() -> None:
    for shipped in CASE_LETTERS:
        assert template_variables(shipped.content()) <= KNOWN, shipped.slug
    for shipped in BLANK_FORMS:
        assert template_variables(shipped.content()) <= AUTHORITY_ONLY, shipped.slug


@pytest.mark.parametrize("shipped", CASE_LETTERS, ids=lambda s: s.slug)
def test_each_shipped_letter_fills_from_the_case_with_nothing_left_unfilled(
    full_case: Case, officer: User, shipped: object
) -> None:
    template = LetterTemplate.objects.get(slug=shipped.slug)  # type: ignore[attr-defined]
    filled = letter_fill(case=full_case, template=template, by=officer)
    text = docx_text(filled.docx)

    assert not LEFT_OVER.search(text)
    used = template_variables(bytes(filled.version.content))
    values = case_context(full_case, by=officer)
    for name in used:
        for line in (values[name] or "").split("\n"):
            assert line in text, (template.slug, name)


def test_the_letter_to_parents_names_the_child_the_parent_and_the_school(
    full_case: Case, officer: User
) -> None:
    template = LetterTemplate.objects.get(slug="parent-absence")
    text = docx_text(letter_fill(case=full_case, template=template, by=officer).docx)

    for expected in [
        "Amelia Rose Kowalski",
        "27 March 2015",
        "Marta Kowalska",
        "12 Linacre Road",
        "Litherland High School",
        "18 September 2026",
        full_case.reference,
        officer.get_full_name(),
    ]:
        assert expected in text


def test_the_calling_card_left_at_the_door_names_no_child(full_case: Case, officer: User) -> None:
    template = LetterTemplate.objects.get(slug="calling-card")
    text = docx_text(letter_fill(case=full_case, template=template, by=officer).docx)

    assert full_case.reference in text
    for private in ["Amelia", "Kowalski", "Marta", "Linacre", "Litherland High"]:
        assert private not in text


def test_the_closure_letter_to_the_referrer_does_not_say_where_the_child_went(
    full_case: Case, officer: User
) -> None:
    template = LetterTemplate.objects.get(slug="closure-confirmation")
    text = docx_text(letter_fill(case=full_case, template=template, by=officer).docx)

    assert "Jo Bloggs" in text
    assert "abroad" not in text.lower()


@pytest.mark.parametrize("shipped", BLANK_FORMS, ids=lambda s: s.slug)
def test_each_blank_form_fills_with_the_authority_details_only(shipped: object) -> None:
    template = LetterTemplate.objects.get(slug=shipped.slug)  # type: ignore[attr-defined]
    text = docx_text(blank_form_render(template=template))

    assert not LEFT_OVER.search(text)
    details = blank_context()
    assert details["authority_name"] and details["authority_name"] in text
    assert details["authority_phone"] and details["authority_phone"] in text


def test_every_shipped_letter_and_form_becomes_a_pdf_with_the_case_in_it(
    full_case: Case, officer: User, tmp_path: Path
) -> None:
    """By LibreOffice, from the filled Word document (one converter, no second layout)."""
    needs_libreoffice()
    for shipped in SHIPPED:
        template = LetterTemplate.objects.get(slug=shipped.slug)
        if template.is_blank_form:
            docx = blank_form_render(template=template)
        else:
            docx = letter_fill(case=full_case, template=template, by=officer).docx
        pdf = docx_to_pdf(docx)
        text = _pdf_text(pdf, tmp_path)

        assert pdf.startswith(b"%PDF-")
        assert not LEFT_OVER.search(text), shipped.slug
        assert "Sefton Council" in text, shipped.slug
        if shipped.slug in {"parent-absence", "other-la-notification", "social-care-referral"}:
            assert "Amelia Rose Kowalski" in text, shipped.slug


def test_render_docx_of_a_shipped_template_is_the_same_bytes_each_time(
    full_case: Case, officer: User
) -> None:
    """Equal content, equal bytes (and so an equal hash): the stored sha256 means something."""
    content = next(s for s in SHIPPED if s.slug == "parent-absence").content()
    values = case_context(full_case, by=officer)
    assert render_docx(content, values) == render_docx(content, values)
