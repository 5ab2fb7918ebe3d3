"""The one check every upload passes: the bytes decide the type, never the name; refusals say
what is wrong in words the uploader understands; nothing a sender can craft raises anything
but UploadProblem."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmetrack.uploads.checks import (
    DOCX,
    EMAIL,
    EVIDENCE,
    JPEG,
    KINDS,
    MAX_ZIP_MEMBERS,
    PDF,
    PNG,
    TEXT,
    TIFF,
    XLSX,
    UploadProblem,
    check_upload,
    safe_filename,
    sniff,
)

MB = 1024 * 1024
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def zipped(*members: str, sizes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in members:
            archive.writestr(name, b"\x00" * (sizes or {}).get(name, 10))
    return buffer.getvalue()


WORD = ("[Content_Types].xml", "word/document.xml")
SAVED_EMAIL = (
    b"Return-Path: <officer@example.invalid>\r\n"
    b"From: School Office <office@example.invalid>\r\n"
    b"To: cme@example.invalid\r\n"
    b"Subject: Pupil not seen since Monday\r\n"
    b"Date: Mon, 2 Mar 2026 09:14:00 +0000\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<html><body><p>The family have not answered.</p></body></html>\r\n"
)


def check(content: bytes, name: str = "file", allowed: frozenset[str] = EVIDENCE) -> str:
    return check_upload(content, filename=name, allowed=allowed, max_bytes=MB).kind.code


@pytest.mark.parametrize(
    "content,kind",
    [
        (PDF_BYTES, PDF),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, JPEG),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, PNG),
        (b"II*\x00" + b"\x00" * 20, TIFF),
        (b"MM\x00*" + b"\x00" * 20, TIFF),
        (zipped(*WORD), DOCX),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), XLSX),
        (SAVED_EMAIL, EMAIL),
        ("Home visit: nobody in. Café closed.\n".encode(), TEXT),
        (b"\xef\xbb\xbfWith a byte order mark\r\n", TEXT),
    ],
    ids=lambda v: v.code if hasattr(v, "code") else None,
)
def test_each_kind_is_recognised_from_its_bytes(content: bytes, kind: object) -> None:
    assert sniff(content) == kind


def test_a_saved_email_may_start_with_an_mbox_postmark() -> None:
    assert sniff(b"From - Mon Mar  2 09:14:00 2026\r\n" + SAVED_EMAIL) == EMAIL


def test_a_note_with_a_date_line_is_text_not_an_email() -> None:
    note = b"Date: 3 March 2026\nVisited 12 Example Road. To: follow up with the school.\n"

    assert sniff(note) == TEXT


def test_a_header_block_without_from_is_not_an_email() -> None:
    assert sniff(b"Subject: visit\r\nDate: today\r\n\r\nbody\r\n") == TEXT


def test_a_renamed_program_is_refused_as_a_program() -> None:
    with pytest.raises(UploadProblem) as refused:
        check(EXE_BYTES, "home visit.pdf")

    message = str(refused.value)
    assert message.startswith("The selected file must be a PDF")
    assert message.endswith("this one is a Windows program")


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body onload=alert(1)>",
        b"  \r\n<HTML><script>alert(document.cookie)</script>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"<svg onload=alert(1)>",
        b"Hello\n<script>fetch('/cases/')</script>\n",
        b"<!-- a comment --><p>hello</p>",
    ],
)
def test_a_web_page_is_refused_whatever_it_is_called(content: bytes) -> None:
    with pytest.raises(UploadProblem, match=r"this one is a web page \(HTML or XML\)$"):
        check(content, "letter.pdf")


def test_a_saved_email_with_an_html_body_is_still_an_email() -> None:
    # Served as message/rfc822, as a download: the browser never renders its HTML part.
    assert check(SAVED_EMAIL, "reply.eml") == "email"


def test_a_word_document_with_macros_is_refused_saying_so() -> None:
    with pytest.raises(UploadProblem, match="macros, which are never accepted"):
        check(zipped(*WORD, "word/vbaProject.bin"), "visit.docx")


def test_a_macro_project_in_any_case_or_folder_is_found() -> None:
    assert sniff(zipped(*WORD, "Word/VBAPROJECT.BIN")) is None


def test_a_zip_that_is_not_a_document_is_refused() -> None:
    with pytest.raises(UploadProblem, match=r"this one is a zip archive$"):
        check(zipped("word/document.xml"), "visit.docx")


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking() -> None:
    bomb = zipped(*WORD, "word/media/huge.bin", sizes={"word/media/huge.bin": 201 * MB})

    assert len(bomb) < MB
    with pytest.raises(UploadProblem, match="unpacks too large"):
        check(bomb, "visit.docx")


def test_a_zip_of_too_many_members_is_refused() -> None:
    crowded = zipped(*WORD, *(f"word/part{i}.xml" for i in range(MAX_ZIP_MEMBERS)))

    with pytest.raises(UploadProblem, match="too many files"):
        check(crowded, "visit.docx")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadProblem, match=r"^The selected file is empty$"):
        check(b"", "visit.pdf")


def test_a_file_over_the_limit_is_refused_with_the_limit() -> None:
    with pytest.raises(UploadProblem, match=r"^The selected file must be smaller than 1 MB$"):
        check(PDF_BYTES + b"0" * MB)


def test_a_file_exactly_at_the_limit_is_accepted() -> None:
    content = PDF_BYTES + b"0" * (MB - len(PDF_BYTES))

    assert check(content) == "pdf"


def test_a_stream_is_read_only_up_to_the_limit() -> None:
    class Endless(io.RawIOBase):
        """A stream that never ends: reading it all would never return."""

        read_so_far = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            buffer[:] = b"%" * len(buffer)
            self.read_so_far += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(UploadProblem, match="smaller than 1 MB"):
        reader = io.BufferedReader(stream)  # type: ignore[type-var]
        check_upload(reader, filename="x", allowed=EVIDENCE, max_bytes=MB)
    assert stream.read_so_far <= 2 * MB


def test_a_kind_outside_the_allowed_list_is_named_in_the_refusal() -> None:
    with pytest.raises(UploadProblem) as refused:
        check(zipped("[Content_Types].xml", "xl/workbook.xml"), "list.xlsx")

    assert str(refused.value).endswith(", not an Excel workbook")


def test_only_the_allowed_kinds_are_listed_in_the_refusal() -> None:
    expected = r"^The selected file must be a PDF or a Word document;"
    with pytest.raises(UploadProblem, match=expected):
        check(EXE_BYTES, allowed=frozenset({"pdf", "docx"}))


@pytest.mark.parametrize("allowed", [frozenset(), frozenset({"exe"})])
def test_an_allowed_list_naming_no_known_kind_is_a_programming_error(
    allowed: frozenset[str],
) -> None:
    with pytest.raises(ValueError, match="allowed must name kinds"):
        check(PDF_BYTES, allowed=allowed)


def test_the_result_carries_the_hash_size_and_a_safe_name() -> None:
    checked = check_upload(PDF_BYTES, filename="scan.PDF", allowed=EVIDENCE, max_bytes=MB)

    assert checked.size == len(PDF_BYTES)
    assert checked.sha256 == __import__("hashlib").sha256(PDF_BYTES).hexdigest()
    assert checked.safe_name == "scan.pdf"
    assert checked.content == PDF_BYTES


# --- safe_filename ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,expected",
    [
        ("letter.pdf.exe", "letter-pdf.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\officer\\Desktop\\visit.pdf", "visit.pdf"),
        ('say "hi"; rm -rf.pdf', "say -hi- rm -rf.pdf"),
        ("line\r\nbreak.pdf", "line-break.pdf"),
        ("\u202egpj.pdf", "gpj.pdf"),  # a right-to-left override is dropped
        ("Zoë Ł.pdf", "Zoë Ł.pdf"),
        ("", "file.pdf"),
        ("....", "file.pdf"),
        (".hidden", "file.pdf"),
    ],
)
def test_safe_filename_keeps_only_a_plain_name_with_the_true_extension(
    name: str, expected: str
) -> None:
    assert safe_filename(name, PDF) == expected


def test_safe_filename_is_cut_to_length() -> None:
    assert safe_filename("a" * 500 + ".pdf", PDF) == "a" * 100 + ".pdf"


@given(st.text(max_size=300))
def test_safe_filename_never_has_a_folder_quote_or_control_character(name: str) -> None:
    safe = safe_filename(name, TEXT)

    assert safe.endswith(".txt") and len(safe) <= 104
    assert not any(ch in safe for ch in "/\\\"';:<>|*?")
    assert all(ch.isprintable() for ch in safe)
    assert not safe.startswith(".")


# --- property tests: nothing a sender sends raises anything but UploadProblem --------------

PREFIXES = [
    b"",
    b"%PDF-",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"II*\x00",
    b"PK\x03\x04",
    b"MZ",
    b"From: a@example.invalid\r\n",
    b"<html>",
    b"\xef\xbb\xbf",
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), rest=st.binary(max_size=2048), name=st.text(max_size=80))
def test_any_bytes_pass_as_a_known_kind_or_are_refused(
    prefix: bytes, rest: bytes, name: str
) -> None:
    content = prefix + rest
    try:
        checked = check_upload(content, filename=name, allowed=EVIDENCE, max_bytes=2048)
    except UploadProblem as problem:
        assert str(problem).startswith("The selected file")
    else:
        assert checked.kind.code in EVIDENCE
        assert checked.kind == sniff(content)
        assert checked.safe_name.endswith(checked.kind.extension)


@st.composite
def damaged_documents(draw: st.DrawFn) -> bytes:
    """A real Word document with some of its bytes changed, or cut short: the zip reader's
    every way of failing is met (bad versions, truncated directories, wrong offsets)."""
    content = bytearray(zipped(*WORD, "docProps/core.xml"))
    for _ in range(draw(st.integers(1, 8))):
        content[draw(st.integers(0, len(content) - 1))] = draw(st.integers(0, 255))
    return bytes(content[: draw(st.integers(4, len(content)))])


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_documents())
def test_a_damaged_document_is_a_document_or_refused(content: bytes) -> None:
    try:
        code = check(content, "visit.docx")
    except UploadProblem:
        return
    assert code in EVIDENCE and KINDS[code] in {DOCX, TEXT}
