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
EMAIL_FIELD = re.compile(r"^([!-9;-~]+):")  # a header field's name (RFC 5322 section 2.2)
EMAIL_ALSO = frozenset({"to", "subject", "date", "message-id", "received", "return-path"})
# The openings a browser takes for HTML or XML (WHATWG MIME sniffing, "rules for identifying
# an unknown MIME type"), each followed there by a space or ">": a prefix is enough to refuse.
MARKUP_OPENINGS = (
    "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font",
    "<table", "<a ", "<a>", "<style", "<title", "<b ", "<b>", "<body", "<br", "<p ", "<p>",
    "<!--", "<?xml", "<svg",
)  # fmt: skip
MARKUP_ANYWHERE = re.compile(r"<(script|iframe|svg|html|object|embed)[\s>/]")


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
    if not allowed or not allowed <= KINDS.keys():
        raise ValueError(f"allowed must name kinds of file from KINDS, not {sorted(allowed)}")
    content = upload if isinstance(upload, bytes) else _read_capped(upload, max_bytes)
    if not content:
        raise UploadProblem("The selected file is empty")
    if len(content) > max_bytes:
        raise UploadProblem(f"The selected file must be smaller than {_megabytes(max_bytes)}")
    kind = sniff(content)
    if kind is None or kind.code not in allowed:
        raise UploadProblem(
            "The selected file must be "
            + _or_list(kind.label for code, kind in KINDS.items() if code in allowed)
            + (
                f"; this one is {_what_it_looks_like(content)}"
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
    if _is_email(text):
        return EMAIL
    # A web page or SVG is text too, but one a browser may run: never accepted as plain text.
    return None if _looks_like_markup(text) else TEXT


def _is_email(text: str) -> bool:
    """A saved email starts with its header block: every line up to the first blank one a
    header field (or a folded continuation), among them From and one more of the usual ones.
    A note whose body happens to have a line starting "Date:" is not an email."""
    names: set[str] = set()
    lines = text[:16384].splitlines()
    if lines and lines[0].startswith("From "):
        lines = lines[1:]  # an mbox postmark ("From - Mon Mar 2 ..."), as some mail apps save
    for line in lines:
        if not line.strip():
            break
        if line[0] in " \t" and names:
            continue
        match = EMAIL_FIELD.match(line)
        if match is None:
            return False
        names.add(match.group(1).lower())
    return "from" in names and bool(names & EMAIL_ALSO)


def _looks_like_markup(text: str) -> bool:
    """What a browser would sniff as HTML or XML (the WHATWG sniffing rules' openings), or a
    script, frame or SVG tag anywhere near the start."""
    head = text[:8192].lstrip(" \t\r\n\x0c").lower()
    return head.startswith(MARKUP_OPENINGS) or MARKUP_ANYWHERE.search(head) is not None


def _office_document(content: bytes) -> FileKind | None:
    found = _office_document_or_why(content)
    return found if isinstance(found, FileKind) else None


def _office_document_or_why(content: bytes) -> FileKind | str:
    """A zip is a Word document or workbook only if it has the parts one has; one carrying
    macros (vbaProject.bin) or unpacking past the limit is refused as not on the list. Only the
    directory is read, never a member unpacked. Refused, the answer says what the zip is."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                return "an archive of too many files"
            if sum(m.file_size for m in members) > MAX_ZIP_UNPACKED:
                return "an archive that unpacks too large"
            names = {m.filename for m in members}
    # A damaged or hostile central directory fails in more ways than BadZipFile: an unknown
    # zip version is NotImplementedError, a truncated record EOFError.
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "a damaged zip archive"
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "a document with macros, which are never accepted: save it without them (.docx)"
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    return "a zip archive"


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
    """What a refused file is, for the message: named here for the files people send by
    mistake or on purpose (a program, a web page, a macro document), else puremagic's name."""
    if content.startswith(b"PK\x03\x04"):
        found = _office_document_or_why(content)
        return found if isinstance(found, str) else found.label
    if content.startswith(b"MZ"):
        return "a Windows program"
    if content.startswith(b"\x7fELF"):
        return "a program"
    text = _as_text(content)
    if text is not None and _looks_like_markup(text):
        return "a web page (HTML or XML)"
    try:
        matches = puremagic.magic_string(content[:8192])
    except (puremagic.PureError, ValueError):
        matches = []
    if not matches:
        return "a kind of file not recognised"
    return f"a file of another kind ({matches[0].name})"


def _read_capped(upload: IO[bytes], max_bytes: int) -> bytes:
    # From the start (a form may have read some already), if the stream can go back at all:
    # a pipe or a request body has seek() and raises on it.
    seekable = getattr(upload, "seekable", None)
    if callable(seekable) and seekable():
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
