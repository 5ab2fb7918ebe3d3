"""docs/letters.md lists every placeholder and every shipped template, as the code has them."""

from __future__ import annotations

from pathlib import Path

from cmetrack.letters.defaults import SHIPPED
from cmetrack.letters.placeholders import PLACEHOLDERS

DOC = Path(__file__).resolve().parents[4] / "docs" / "letters.md"


def test_the_docs_table_lists_every_placeholder_with_its_meaning() -> None:
    text = DOC.read_text()
    for placeholder in PLACEHOLDERS:
        assert f"| `{placeholder.name}` | {placeholder.meaning}" in text, placeholder.name


def test_the_docs_list_every_shipped_template() -> None:
    text = DOC.read_text()
    for shipped in SHIPPED:
        assert f"{shipped.title} (`{shipped.slug}`)" in text, shipped.slug
