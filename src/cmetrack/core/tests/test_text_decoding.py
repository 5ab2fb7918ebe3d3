from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cmetrack.core import text_decoding
from cmetrack.core.text_decoding import (
    ALL_ENCODINGS,
    CP1252_UNDEFINED,
    DecodingProblem,
    TextDecodingError,
    TextEncoding,
    decode_text,
    detect_encoding,
)

UTF8, UTF16, CP1252 = TextEncoding.UTF8, TextEncoding.UTF16, TextEncoding.CP1252
# Any text a CSV can hold: NUL is refused by design, and a leading U+FEFF is a byte-order mark.
csv_text = st.text().filter(lambda t: "\x00" not in t and not t.startswith("\ufeff"))
policies = st.sets(st.sampled_from(TextEncoding))


@contextmanager
def tiny_chunks(size: int) -> Iterator[None]:
    # The real chunk is 1 MB; a few bytes puts characters across chunk boundaries.
    with mock.patch.object(text_decoding, "_CHUNK", size):
        yield


def refusal(data: bytes, **kwargs: object) -> TextDecodingError:
    with pytest.raises(TextDecodingError) as caught:
        decode_text(data, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- round trips -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(csv_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]))
@example("Zoë O\u2019Brien,ÿþ\r\n", "utf-8")
@example("\U0001f600 over a chunk edge", "utf-16-be")
def test_any_text_in_utf8_or_utf16_with_its_mark_round_trips(text: str, codec: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    data = bom + text.encode(codec)
    assert decode_text(data) == text
    with tiny_chunks(3):
        assert decode_text(data) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="cp1252")).filter(lambda t: "\x00" not in t))
@example("Th\xe9r\xe8se\u2019s caf\xe9")
def test_windows_1252_text_that_is_not_also_utf8_round_trips(text: str) -> None:
    data = text.encode("cp1252")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert detect_encoding(data) is CP1252
        assert decode_text(data) == text
    else:  # plain ASCII, mostly: the same text either way, or UTF-8 rightly wins
        assert detect_encoding(data) is UTF8


# --- any bytes -------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200), policies, st.sampled_from([1, 2, 3, 7, 1024 * 1024]))
@example(b"\xff\xfe\x00\xdc", ALL_ENCODINGS, 1024 * 1024)  # a lone UTF-16 low surrogate
@example(b"\xef\xbb\xbf\xe2\x82", {UTF8}, 1)  # UTF-8 that stops mid-character
def test_any_bytes_decode_or_raise_the_one_error(
    data: bytes, accept: set[TextEncoding], chunk: int
) -> None:
    with tiny_chunks(chunk):
        try:
            text = decode_text(data, accept=accept)
        except TextDecodingError as error:
            assert 0 <= error.offset <= len(data)
            assert error.byte == (data[error.offset] if error.offset < len(data) else None)
            assert 1 <= error.line <= data.count(b"\n") + 1
            assert set(error.tried) <= set(accept)
            assert str(error)
            return
    encoding = detect_encoding(data, accept=accept)
    assert encoding in accept
    assert "\x00" not in text
    assert text == data.decode(encoding)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from([1, 2, 5]))
def test_chunking_never_changes_the_answer(data: bytes, chunk: int) -> None:
    def answer() -> object:
        try:
            return detect_encoding(data)
        except TextDecodingError as error:
            return (error.problem, error.offset, error.line, error.tried)

    whole = answer()
    with tiny_chunks(chunk):
        assert answer() == whole


# --- the ladder ------------------------------------------------------------------------------


def test_utf8_is_preferred_to_windows_1252_and_the_mark_is_dropped() -> None:
    assert detect_encoding("café".encode()) is UTF8
    assert decode_text(codecs.BOM_UTF8 + "café".encode()) == "café"


def test_windows_1252_is_the_fallback() -> None:
    assert decode_text(b"Caf\xe9 \x92quoted\x92") == "Café \u2019quoted\u2019"


def test_the_codec_streams_a_file_as_decode_text_reads_it() -> None:
    data = codecs.BOM_UTF8 + 'a,b\r\n"x\r\ny",é\r\n'.encode()
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=detect_encoding(data), newline="")
    assert stream.read() == decode_text(data) == 'a,b\r\n"x\r\ny",é\r\n'


def test_utf16_without_its_mark_is_refused_as_nul() -> None:
    error = refusal("a,b\n".encode("utf-16-le"))
    assert (error.problem, error.offset) == (DecodingProblem.NUL, 1)
    assert "NUL" in str(error) and "UTF-16" in str(error)


def test_utf16_can_be_refused_by_the_caller() -> None:
    error = refusal("a,b\n".encode("utf-16"), accept={UTF8, CP1252})
    assert error.problem is DecodingProblem.UTF16_REFUSED
    assert "Unicode text" in str(error)


def test_nul_inside_utf16_text_is_refused_where_it_is() -> None:
    data = "ab\ncd\x00".encode("utf-16-le")
    error = refusal(codecs.BOM_UTF16_LE + data)
    assert (error.problem, error.offset, error.line) == (DecodingProblem.NUL, 12, 2)


@pytest.mark.parametrize("byte", CP1252_UNDEFINED)
def test_a_byte_windows_1252_leaves_undefined_is_refused_with_where(byte: int) -> None:
    data = b"name\r\nCaf\xe9\r\nx" + bytes([byte]) + b"\r\n"
    error = refusal(data)
    assert (error.problem, error.offset, error.byte, error.line) == (
        DecodingProblem.INVALID,
        13,
        byte,
        3,
    )
    assert error.tried == (UTF8, CP1252)
    assert f"neither UTF-8 nor Windows-1252 text (byte 0x{byte:02x} at offset 13" in str(error)


def test_utf8_only_reports_the_first_bad_byte_counted_from_the_start_of_the_file() -> None:
    # Counted with the mark, so the offset finds the byte in a hex editor.
    data = codecs.BOM_UTF8 + b"a\nb\nCaf\xe9"
    error = refusal(data, accept={UTF8})
    assert (error.offset, error.byte, error.line, error.tried) == (10, 0xE9, 3, (UTF8,))
    assert str(error) == "the file is not UTF-8 text (byte 0xe9 at offset 10, line 3)"


def test_a_character_split_across_chunks_is_read_whole_and_an_error_after_it_found() -> None:
    data = "é€\U0001f600".encode() + b"\n\xff"
    with tiny_chunks(1):
        error = refusal(data, accept={UTF8})
    assert (error.offset, error.line) == (len(data) - 1, 2)


def test_nothing_accepted_is_still_the_one_error() -> None:
    assert refusal(b"a,b", accept=set()).problem is DecodingProblem.INVALID
    assert decode_text(b"") == ""
