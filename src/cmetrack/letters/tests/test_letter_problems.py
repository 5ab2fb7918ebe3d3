"""A letter is all or nothing: what the case cannot fill, a broken or hostile template, and
names typed with characters Word's XML cannot hold, each give a clear message or a sound
document, never a half-filled letter."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.letters.context import case_context, clean
from cmetrack.letters.docbuilder import as_bytes, new_document, para
from cmetrack.letters.models import Letter, LetterTemplate
from cmetrack.letters.rendering import (
    LetterProblem,
    check_template,
    docx_text,
    render_docx,
    required_variables,
    template_variables,
)
from cmetrack.letters.services import letter_fill, letter_produce

pytestmark = pytest.mark.django_db


def _template(*lines: str) -> bytes:
    document = new_document()
    for line in lines:
        para(document, line)
    return as_bytes(document)


def _stored() -> list[str]:
    """The produced letters' files in storage (the in-memory storage lives as long as the
    test process, so a test compares before and after)."""
    if not default_storage.exists("letters/produced"):
        return []
    return sorted(default_storage.listdir("letters/produced")[1])


def test_a_letter_the_case_cannot_fill_names_each_missing_placeholder_and_what_to_do(
    bare_case: Case, officer: User
) -> None:
    template = LetterTemplate.objects.get(slug="parent-absence")

    with pytest.raises(LetterProblem) as raised:
        letter_fill(case=bare_case, template=template, by=officer)

    message = str(raised.value)
    assert {"parent_name", "parent_address", "school_name", "date_last_attended"} <= (
        raised.value.missing
    )
    assert "This letter needs parent_name, which this case does not have." in message
    assert "Add a parent or carer" in message
    assert "Record the school last attended" in message


def test_a_refused_letter_writes_nothing_no_row_no_file_no_timeline_line(
    bare_case: Case, officer: User
) -> None:
    template = LetterTemplate.objects.get(slug="parent-absence")
    events, stored = CaseEvent.objects.count(), _stored()

    with pytest.raises(LetterProblem):
        letter_produce(case=bare_case, template=template, by=officer)

    assert Letter.objects.count() == 0
    assert CaseEvent.objects.count() == events
    assert _stored() == stored


def test_a_template_naming_an_unknown_placeholder_is_refused_at_upload() -> None:
    with pytest.raises(LetterProblem, match="child_shoe_size, which cmetrack does not know"):
        check_template(_template("Dear {{ parent_name }}, {{ child_shoe_size }}"))


def test_a_placeholder_written_wrongly_is_explained() -> None:
    with pytest.raises(LetterProblem, match="placeholder written wrongly"):
        template_variables(_template("Dear {{ parent_name "))


def test_a_file_that_is_not_a_word_document_is_refused_with_a_message() -> None:
    with pytest.raises(LetterProblem, match="not a Word document"):
        template_variables(b"PK\x03\x04 not really a zip")


def test_a_template_reaching_into_python_is_refused(full_case: Case, officer: User) -> None:
    """A Jinja template is code: the sandbox stops attribute walks to Python internals."""
    hostile = _template("{{ child_full_name.__class__.__mro__[1].__subclasses__() }}")

    with pytest.raises(LetterProblem):
        render_docx(hostile, case_context(full_case, by=officer))


def test_markup_in_a_name_is_written_as_text_and_the_document_stays_sound(
    full_case: Case, officer: User
) -> None:
    child = full_case.child
    child.forenames = 'Amy <w:t>&"x"'
    child.save()
    content = _template("Name: {{ child_full_name }}")

    filled = render_docx(content, case_context(full_case, by=officer))

    assert 'Name: Amy <w:t>&"x"' in docx_text(filled)
    with zipfile.ZipFile(io.BytesIO(filled)) as package:
        assert package.testzip() is None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(
        alphabet=st.one_of(
            st.characters(), st.sampled_from(["\ufffe", "\uffff", "\x00", "\x0c", "\a", "\t"])
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_name_fills_a_readable_document_with_the_name_as_cleaned(name: str) -> None:
    content = _template("Dear {{ parent_name }},")
    value = clean(name)

    if value is None:
        with pytest.raises(LetterProblem):
            render_docx(content, {"parent_name": value})
        return
    filled = render_docx(content, {"parent_name": value})

    # python-docx reads it back: the XML is well formed whatever was typed.
    text = "\n".join(p.text for p in Document(io.BytesIO(filled)).paragraphs)
    assert f"Dear {value}," in text


def test_a_placeholder_read_through_a_default_is_not_required_and_prints_the_default() -> None:
    content = _template('UPN: {{ child_upn | default("Not known") }}, to {{ parent_name }}')

    assert required_variables(content) == {"parent_name"}
    filled = render_docx(content, {"child_upn": None, "parent_name": "Marta Kowalska"})
    assert "UPN: Not known, to Marta Kowalska" in docx_text(filled)


def test_a_placeholder_read_both_with_and_without_a_default_is_required() -> None:
    content = _template('{{ child_upn | default("Not known") }} and {{ child_upn }}')

    assert required_variables(content) == {"child_upn"}
    with pytest.raises(LetterProblem, match="child_upn"):
        render_docx(content, {"child_upn": None})
