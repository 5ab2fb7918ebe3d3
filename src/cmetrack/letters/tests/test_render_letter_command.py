"""`cmetrack render-letter`: the same letter as the page, written to a file; a letter the
case cannot fill writes no file and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.letters.models import Letter
from cmetrack.letters.rendering import docx_text

from .conftest import needs_libreoffice

pytestmark = pytest.mark.django_db


def test_it_writes_the_letter_as_word_and_records_it_on_the_case(
    full_case: Case, tmp_path: Path
) -> None:
    out = tmp_path / "letter.docx"

    call_command("render_letter", case=full_case.reference, template="parent-absence", out=str(out))

    assert "Dear Marta Kowalska," in docx_text(out.read_bytes())
    letter = Letter.objects.get(case=full_case)
    assert letter.produced_by == full_case.assigned_to


def test_it_writes_a_pdf_signed_by_the_officer_named(
    full_case: Case, manager: User, tmp_path: Path
) -> None:
    needs_libreoffice()
    out = tmp_path / "card.pdf"

    call_command(
        "render_letter",
        case=full_case.reference.lower(),
        template="Home-visit calling card",
        out=str(out),
        signer=manager.email,
    )

    assert out.read_bytes().startswith(b"%PDF-")
    assert Letter.objects.get(case=full_case).produced_by == manager


def test_a_letter_the_case_cannot_fill_writes_no_file(
    bare_case: Case, officer: User, tmp_path: Path
) -> None:
    out = tmp_path / "letter.docx"

    with pytest.raises(CommandError, match="parent_name"):
        call_command(
            "render_letter",
            case=bare_case.reference,
            template="parent-absence",
            out=str(out),
            signer=officer.username,
        )

    assert not out.exists()
    assert Letter.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"case": "CME-NONE-NONE", "template": "calling-card"}, "no case with that reference"),
        ({"template": "no-such-letter"}, "no such template"),
        ({"template": "calling-card", "out_name": "letter.txt"}, "must end .docx or .pdf"),
        ({"template": "calling-card", "signer": "nobody@example.org"}, "no active user"),
    ],
    ids=["unknown-case", "unknown-template", "wrong-suffix", "unknown-signer"],
)
def test_a_wrong_argument_is_named(
    full_case: Case, tmp_path: Path, options: dict[str, str], message: str
) -> None:
    out = tmp_path / options.pop("out_name", "letter.docx")
    options.setdefault("case", full_case.reference)

    with pytest.raises(CommandError, match=message):
        call_command("render_letter", out=str(out), **options)

    assert Letter.objects.count() == 0


def test_a_user_outside_the_team_cannot_sign(
    full_case: Case, school_user: User, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="not in the CME team"):
        call_command(
            "render_letter",
            case=full_case.reference,
            template="calling-card",
            out=str(tmp_path / "x.docx"),
            signer=school_user.username,
        )
