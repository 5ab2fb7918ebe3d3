"""Filling a Word template (docxtpl) and reading a filled one back for the preview.

A letter is all or nothing: before anything is rendered the template's placeholders are read,
and one the case cannot fill (an unknown name, or a known one the case has no value for) stops
the render with a message naming each. The render itself runs in a sandboxed Jinja environment
with StrictUndefined (a template is uploaded by an administrator, but a Jinja template is code)
and autoescaping, so a name typed with `<` or `&` cannot break the document's XML.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .placeholders import KNOWN, missing_message, unknown_message


class LetterProblem(Exception):
    """A letter that cannot be produced; the message is for the officer or administrator."""

    def __init__(self, message: str, *, missing: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.missing = missing


_DEFAULT_FILTERS = frozenset({"default", "d"})
_UNDEFINED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")
# A fixed time for every zip member, so the same content always makes the same bytes (and sha).
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _open(content: bytes) -> DocxTemplate:
    """The template, or LetterProblem if the bytes are not a Word document python-docx reads."""
    template = DocxTemplate(io.BytesIO(content))
    try:
        template.init_docx()
    except Exception as error:  # python-docx raises many kinds for a damaged package
        raise LetterProblem(
            "The template is not a Word document that can be read "
            f"({type(error).__name__}). Upload it again, saved from Word as .docx."
        ) from error
    return template


def _parsed(content: bytes) -> nodes.Template:
    """The template's Jinja syntax tree: body, headers and footers, as docxtpl renders them."""
    template = _open(content)
    document = Document(io.BytesIO(content))
    xml = template.patch_xml(template.xml_to_string(document._element.body))
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for relation in document.part.rels.values():
            if relation.reltype == uri and relation.target_part.blob:
                xml += template.patch_xml(
                    template.xml_to_string(parse_xml(relation.target_part.blob))
                )
    try:
        return _environment().parse(xml)
    except TemplateSyntaxError as error:
        raise LetterProblem(_syntax_message(error)) from error
    except TemplateError as error:
        raise LetterProblem(f"The template cannot be read: {error.message}") from error


def template_variables(content: bytes) -> frozenset[str]:
    """Every placeholder the template reads (body, headers, footers)."""
    return frozenset(meta.find_undeclared_variables(_parsed(content)))


def required_variables(content: bytes) -> frozenset[str]:
    """The placeholders the letter cannot go without: every one the template reads, except
    those it only ever reads through a default, `{{ child_upn | default("Not known") }}`,
    where the template itself says what to print when the case has no value."""
    tree = _parsed(content)
    softened = {
        id(f.node)
        for f in tree.find_all(nodes.Filter)
        if f.name in _DEFAULT_FILTERS and isinstance(f.node, nodes.Name)
    }
    read = frozenset(meta.find_undeclared_variables(tree))
    hard = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load" and id(n) not in softened}
    return read & hard


def check_template(content: bytes, *, allowed: frozenset[str] = KNOWN) -> frozenset[str]:
    """For an upload: the placeholders it uses, or LetterProblem naming those not allowed."""
    found = template_variables(content)
    unknown = found - allowed
    if unknown:
        raise LetterProblem(unknown_message(unknown, allowed=allowed))
    return found


def render_docx(content: bytes, context: Mapping[str, str | None]) -> bytes:
    """The filled document, or LetterProblem naming every placeholder it cannot fill."""
    needed = required_variables(content)
    filled = {name: value for name, value in context.items() if value is not None}
    missing = frozenset(needed - set(filled))
    if missing:
        raise LetterProblem(missing_message(missing), missing=missing)
    template = _open(content)
    try:
        template.render(dict(filled), jinja_env=_environment(), autoescape=True)
    except UndefinedError as error:
        # Reached only through something the variable scan cannot see (core properties,
        # footnotes, an attribute of a value): name it all the same.
        names = frozenset(_UNDEFINED.findall(str(error.message))) or frozenset({"(unknown)"})
        raise LetterProblem(missing_message(names), missing=names) from error
    except TemplateSyntaxError as error:
        raise LetterProblem(_syntax_message(error)) from error
    except SecurityError as error:
        raise LetterProblem(
            "The template does something a letter template may not (it reaches into Python). "
            "Ask an administrator to correct it."
        ) from error
    except TemplateError as error:
        raise LetterProblem(f"The template could not be filled: {error.message}") from error
    out = io.BytesIO()
    template.save(out)
    return normalise_zip(out.getvalue())


def _syntax_message(error: TemplateSyntaxError) -> str:
    return (
        "The template has a placeholder written wrongly "
        f"({error.message}). Each placeholder is written {{{{ name }}}}, in one piece, "
        "with the name from the placeholders table."
    )


def normalise_zip(content: bytes) -> bytes:
    """The same document with every member dated alike: equal content, equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


# The preview: the filled letter's paragraphs and tables, in order, as plain text for the page
# to escape. Not a layout: the DOCX and PDF are the letter; this lets the officer read it first.


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "table"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _blocks_of(document: DocumentObject) -> Iterator[Block]:
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = item.style.name if item.style is not None else ""
            kind = "heading" if style.startswith(("Heading", "Title")) else "paragraph"
            yield Block(kind=kind, text=item.text)
        elif isinstance(item, Table):
            rows = []
            for row in item.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    # A merged cell appears once per grid column it spans: show it once.
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text)
                rows.append(cells)
            yield Block(kind="table", rows=rows)


def docx_blocks(content: bytes) -> list[Block]:
    document: Any = Document(io.BytesIO(content))
    return list(_blocks_of(document))


def docx_text(content: bytes) -> str:
    """All the text of a document, body and tables, one block to a line (tests, checks)."""
    parts: list[str] = []
    for block in docx_blocks(content):
        if block.kind == "table":
            parts.extend(" | ".join(row) for row in block.rows)
        else:
            parts.append(block.text)
    return "\n".join(parts)
