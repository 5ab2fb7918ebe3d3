"""Which text encoding an uploaded CSV's bytes are in, and the text. Pure: bytes in.

Officers upload what their spreadsheet or MIS saved, so one file can arrive as:

- UTF-8, with or without the byte-order mark that Excel's "CSV UTF-8" writes;
- UTF-16 with a byte-order mark, which is what Excel's "Unicode text" export is;
- Windows-1252 (cp1252), what older Excel "CSV" saves and what the DfE publishes GIAS in.

The ladder, in this order, over the encodings the caller accepts:

1. A UTF-16 byte-order mark (FF FE or FE FF) means UTF-16, which must then decode strictly.
   Such a file is never valid UTF-8, and as cp1252 it would start "ÿþ", so nothing is lost.
2. Otherwise strict UTF-8. Valid UTF-8 is almost never accidental, whereas every UTF-8 file
   would also "decode" as cp1252, into mojibake, so UTF-8 goes first.
3. Otherwise cp1252, unless the bytes include one of the five cp1252 leaves undefined.

Text containing NUL (U+0000) is refused whatever the encoding: no CSV has one, a binary file (or
UTF-16 saved without its mark) is full of them, and PostgreSQL refuses NUL in text columns.

Every refusal is a `TextDecodingError`, carrying what went wrong (`problem`), where (`offset`,
`line`) and which encodings were tried, so each importer can word it for its own users; no
other exception escapes for any input bytes.

Checked in chunks, without building the decoded text: a GIAS extract is ~60 MB, and its text
would be two to four times that in memory. `detect_encoding` gives the codec to stream the file
with; `decode_text` is for the small files where the whole text is wanted anyway.
"""

from __future__ import annotations

import codecs
from collections.abc import Collection
from enum import StrEnum


class TextEncoding(StrEnum):
    """An accepted encoding; the value is the Python codec that reads it, mark and all."""

    UTF8 = "utf-8-sig"  # with or without a byte-order mark (the codec drops it)
    UTF16 = "utf-16"  # with a byte-order mark only (the codec reads the order from it)
    CP1252 = "cp1252"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    TextEncoding.UTF8: "UTF-8",
    TextEncoding.UTF16: "UTF-16",
    TextEncoding.CP1252: "Windows-1252",
}

ALL_ENCODINGS: frozenset[TextEncoding] = frozenset(TextEncoding)


class DecodingProblem(StrEnum):
    NUL = "nul"  # the text would contain NUL: a binary file, or UTF-16 without its mark
    UTF16_REFUSED = "utf16_refused"  # a UTF-16 byte-order mark, and UTF-16 is not accepted
    INVALID = "invalid"  # a byte sequence that none of the accepted encodings can read


class TextDecodingError(ValueError):
    """The bytes are not text in any accepted encoding. `offset` is the byte where the last
    encoding tried failed (0 for a refused UTF-16 file), `byte` the value found there (None
    if that is the end of the file), `line` the 1-based line it is on,
    `tried` the encodings tried, in order."""

    def __init__(
        self,
        problem: DecodingProblem,
        *,
        offset: int,
        byte: int | None,
        line: int,
        tried: tuple[TextEncoding, ...],
    ) -> None:
        self.problem = problem
        self.offset = offset
        self.byte = byte
        self.line = line
        self.tried = tried
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.problem is DecodingProblem.UTF16_REFUSED:
            return "the file is UTF-16 text (Excel's 'Unicode text'), which is not accepted here"
        where = f"at offset {self.offset}, line {self.line}"
        if self.problem is DecodingProblem.NUL:
            return (
                f"the file contains NUL ({where}), so it is not a CSV text file: it may be "
                "UTF-16 without a byte-order mark, or a spreadsheet or other binary file"
            )
        labels = [encoding.label for encoding in self.tried]
        if not labels:
            what = "is not text in an encoding accepted here"
        elif len(labels) == 1:
            what = f"is not {labels[0]} text"
        else:
            what = f"is neither {' nor '.join(labels)} text"
        found = f"byte 0x{self.byte:02x}" if self.byte is not None else "it ends mid-character"
        return f"the file {what} ({found} {where})"


_UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
# Bytes Windows-1252 leaves undefined: meeting one means the file is not a cp1252 text file.
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_CHUNK = 1024 * 1024


def detect_encoding(
    data: bytes, *, accept: Collection[TextEncoding] = ALL_ENCODINGS
) -> TextEncoding:
    """The encoding to read `data` with (its value is the codec name for `open`, `decode` or
    `io.TextIOWrapper`). Raises TextDecodingError if no accepted encoding reads it as text."""
    tried: list[TextEncoding] = []

    def refuse(
        problem: DecodingProblem, offset: int, utf16: str | None = None
    ) -> TextDecodingError:
        return TextDecodingError(
            problem,
            offset=offset,
            byte=data[offset] if offset < len(data) else None,
            line=_line_at(data, offset, utf16),
            tried=tuple(tried),
        )

    utf16 = next((codec for bom, codec in _UTF16_BOMS.items() if data.startswith(bom)), None)
    if utf16 is not None:
        if TextEncoding.UTF16 not in accept:
            raise refuse(DecodingProblem.UTF16_REFUSED, 0)
        tried.append(TextEncoding.UTF16)
        if found := _first_problem(data, utf16, start=2):
            raise refuse(*found, utf16)
        return TextEncoding.UTF16

    if (nul := data.find(b"\x00")) >= 0:
        raise refuse(DecodingProblem.NUL, nul)
    failure = 0
    if TextEncoding.UTF8 in accept:
        tried.append(TextEncoding.UTF8)
        found = _first_problem(data, "utf-8")
        if found is None:
            return TextEncoding.UTF8
        failure = found[1]
    if TextEncoding.CP1252 in accept:
        tried.append(TextEncoding.CP1252)
        offsets = [offset for byte in CP1252_UNDEFINED if (offset := data.find(byte)) >= 0]
        if not offsets:
            return TextEncoding.CP1252
        failure = min(offsets)
    raise refuse(DecodingProblem.INVALID, failure)


def decode_text(data: bytes, *, accept: Collection[TextEncoding] = ALL_ENCODINGS) -> str:
    """`data` as text, any byte-order mark removed. Raises TextDecodingError as
    `detect_encoding` does."""
    return data.decode(detect_encoding(data, accept=accept))


def _first_problem(
    data: bytes, codec: str, *, start: int = 0
) -> tuple[DecodingProblem, int] | None:
    """Where strictly decoding data[start:] with `codec` first fails or yields NUL, if it does."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(data)
    position = start
    while True:
        chunk = view[position : position + _CHUNK]
        final = len(chunk) == 0
        # The decoder holds back the bytes of a character split between chunks; an error's
        # offset counts from the first of those.
        seen_from = position - len(decoder.getstate()[0])
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as error:
            return DecodingProblem.INVALID, seen_from + error.start
        if (nul := text.find("\x00")) >= 0:
            return DecodingProblem.NUL, seen_from + len(text[:nul].encode(codec))
        if final:
            return None
        position += len(chunk)


def _line_at(data: bytes, offset: int, utf16: str | None) -> int:
    # Only on the way to an error. UTF-8 and cp1252 both write a line feed as the one byte 0x0a
    # (and no other character contains it); in UTF-16 it is two bytes, so decode what came
    # before, which is known to be clean.
    if utf16 is None:
        return data.count(b"\n", 0, offset) + 1
    return data[2:offset].decode(utf16, errors="replace").count("\n") + 1
