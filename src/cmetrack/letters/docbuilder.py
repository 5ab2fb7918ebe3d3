"""A few helpers for writing the shipped templates with python-docx.

Each placeholder goes into a run of its own, `{{ name }}` whole, so docxtpl reads it as Word
saved it and an administrator who opens the file in Word sees it in one piece.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from .rendering import normalise_zip

_PLACEHOLDER = re.compile(r"(\{\{[^}]*\}\})")


def or_not_known(name: str, text: str = "Not known") -> str:
    """A placeholder the letter can go without: the template prints `text` when the case has no
    value (rendering.required_variables leaves it out of what the case must have)."""
    return f'{{{{ {name} | default("{text}") }}}}'


def new_document() -> DocumentObject:
    document = Document()
    for section in document.sections:
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin = section.right_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = "Arial"
    return document


def write(paragraph: Paragraph, text: str, *, bold: bool = False) -> Paragraph:
    """Add text, each {{ placeholder }} in a run of its own."""
    for piece in _PLACEHOLDER.split(text):
        if piece:
            run = paragraph.add_run(piece)
            run.bold = bold
    return paragraph


def para(document: DocumentObject, text: str = "", *, bold: bool = False) -> Paragraph:
    return write(document.add_paragraph(), text, bold=bold)


def heading(document: DocumentObject, text: str, level: int = 1) -> Paragraph:
    paragraph = document.add_heading(level=level)
    return write(paragraph, text)


def letterhead(document: DocumentObject, *, to: list[str] | None = None) -> None:
    """The authority's name and contact details, the date and the addressee."""
    write(document.add_paragraph(), "{{ authority_name }}", bold=True)
    para(document, "Children Missing Education team")
    para(document, "{{ authority_address }}")
    para(document, "Telephone: {{ authority_phone }}   Email: {{ authority_email }}")
    para(document, "")
    if to:
        for line in to:
            para(document, line)
        para(document, "")
    para(document, "Date: {{ today }}")
    para(document, "Our reference: {{ case_reference }}")
    para(document, "")


def details_table(document: DocumentObject, rows: list[tuple[str, str]]) -> Table:
    """Two columns: a bold label and its value (a placeholder, or blank to fill by hand)."""
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width = Cm(6)
        cells[1].width = Cm(10.5)
        write(cells[0].paragraphs[0], label, bold=True)
        write(cells[1].paragraphs[0], value)
    document.add_paragraph()
    return table


def grid_table(document: DocumentObject, headings: list[str], blank_rows: int) -> Table:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        write(cell.paragraphs[0], text, bold=True)
    for _ in range(blank_rows):
        table.add_row()
    document.add_paragraph()
    return table


def signature(document: DocumentObject) -> None:
    para(document, "Yours sincerely,")
    para(document, "")
    para(document, "{{ officer_name }}")
    para(document, "Children Missing Education Officer, {{ authority_name }}")


def as_bytes(document: DocumentObject) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return normalise_zip(out.getvalue())
