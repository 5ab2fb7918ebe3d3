"""The one check every uploaded file passes: its type read from its content, its size.

Attachments on a case, the documents on the public information page and letter templates all
call `check_upload`. A file's name and the browser's content type are the sender's claims; only
the bytes decide. What is accepted is a short list of the kinds a CME team handles (scans,
photos, PDFs, Word documents, saved emails, plain text), each with the content type and
extension it is served with, whatever it was called when it arrived.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import puremagic


class UploadProblem(ValueError):
    """A file that cannot be accepted; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str  # for people, mid-sentence with its article: "a PDF", "an Excel workbook"
    content_type: str  # what it is served as
    extension: str  # what a download is called, with the dot


PDF = FileKind("pdf", "a PDF", "application/pdf", ".pdf")
JPEG = FileKind("jpeg", "a JPEG image", "image/jpeg", ".jpg")
PNG = FileKind("png", "a PNG image", "image/png", ".png")
TIFF = FileKind("tiff", "a TIFF image (a scan)", "image/tiff", ".tif")
DOCX = FileKind(
    "docx",
    "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
XLSX = FileKind(
    "xlsx",
    "an Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
)
EMAIL = FileKind("email", "a saved email (.eml)", "message/rfc822", ".eml")
TEXT = FileKind("text", "a plain text file", "text/plain; charset=utf-8", ".txt")

KINDS: dict[str, FileKind] = {k.code: k for k in (PDF, JPEG, PNG, TIFF, DOCX, XLSX, EMAIL, TEXT)}
# What a case's evidence may be; the public page and letter templates pass narrower sets.
EVIDENCE = frozenset({"pdf", "jpeg", "png", "tiff", "docx", "email", "text"})

MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_UNPACKED = 200 * 1024 * 1024  # a Word document that unpacks past this is a zip bomb
EMAIL_HEADER = re.compile(
    rb"^(Received|From|To|Subject|Date|Message-ID|Return-Path|MIME-Version):", re.I | re.M
)


@dataclass(frozen=True)
class CheckedFile:
    kind: FileKind
    size: int
    sha256: str
    content: bytes
    safe_name: str  # the sender's name, made safe, with the extension of what it really is


def check_upload(
    upload: IO[bytes] | bytes, *, filename: str, allowed: Iterable[str], max_bytes: int
) -> CheckedFile:
    """Read at most max_bytes + 1 bytes, sniff the type, and return what was found, or raise
    UploadProblem naming what is wrong. Reads nothing into the database: the caller stores."""
    allowed = frozenset(allowed)
    content = upload if isinstance(upload, bytes) else _read_capped(upload, max_bytes)
    if not content:
        raise UploadProblem("The selected file is empty")
    if len(content) > max_bytes:
        raise UploadProblem(f"The selected file must be smaller than {_megabytes(max_bytes)}")
    kind = sniff(content)
    if kind is None or kind.code not in allowed:
        raise UploadProblem(
            "The selected file must be "
            + _or_list(KINDS[c].label for c in sorted(allowed))
            + (
                f"; this one is not ({_what_it_looks_like(content)})"
                if kind is None
                else f", not {kind.label}"
            )
        )
    return CheckedFile(
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        safe_name=safe_filename(filename, kind),
    )


def sniff(content: bytes) -> FileKind | None:
    """The kind of file these bytes are, or None for anything not on the list."""
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return _office_document(content)
    text = _as_text(content)
    if text is None:
        return None
    return EMAIL if EMAIL_HEADER.search(content[:4096]) else TEXT


def _office_document(content: bytes) -> FileKind | None:
    """A zip is a Word document or workbook only if it has the parts one has; one carrying
    macros (vbaProject.bin) or unpacking past the limit is refused as not on the list."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return None
            if sum(m.file_size for m in members) > MAX_ZIP_UNPACKED:
                return None
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _as_text(content: bytes) -> str | None:
    if b"\x00" in content[:8192]:
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:8192])
    return text if printable >= 0.95 * min(len(text), 8192) else None


def _what_it_looks_like(content: bytes) -> str:
    try:
        matches = puremagic.magic_string(content[:8192])
    except (puremagic.PureError, ValueError):
        matches = []
    return matches[0].name if matches else "a kind of file not recognised"


def _read_capped(upload: IO[bytes], max_bytes: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(max_bytes + 1)


def safe_filename(filename: str, kind: FileKind, *, longest: int = 100) -> str:
    """The sender's file name without any folder, control or quoting characters, with the
    extension of what the file is (so `letter.pdf.exe` that is a PDF downloads as a .pdf)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w\- ()]+", "-", stem, flags=re.UNICODE).strip(" .-_")[:longest]
    return f"{stem or 'file'}{kind.extension}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _or_list(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
