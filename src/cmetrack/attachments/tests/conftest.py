"""Attachments are stored on disk here, as in production, in a directory of the test's own:
nothing is left behind, and a test can look at what storage holds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from pytest_django import Settings

from cmetrack.cases.models import Case
from cmetrack.testing.factories import CaseFactory

# The smallest files of each kind the checks accept (uploads.checks.sniff reads the bytes).
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
HOME_VISIT_NOTE = b"Visited 3 March, 10am. No answer; neighbour says the family moved.\n"


def docx(*extra: str) -> bytes:
    """A Word document's parts (and `extra` ones, such as a macro project)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name in extra:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.fixture
def files_dir(tmp_path: Path, settings: Settings) -> Path:
    """Default storage on a directory of this test's own (settings.test keeps it in memory)."""
    root = tmp_path / "files"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def case(db: None) -> Case:
    return CaseFactory(child__forenames="Tallulah", child__surname="Wrexham-Pryce")


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
