"""What kind of file a roll is, from its content, never its name (a renamed file is common and
a lying extension is an attack): XML, an XLSX workbook (a zip), or else CSV text. Which roll
format a CSV or XLSX is depends on its header (`tabular.tabular_format`)."""

from __future__ import annotations

from enum import StrEnum

# Private to the return importer's entry point; used rather than copied: one home for "is it
# XML" (BOMs, UTF-16, leading whitespace).
from cmetrack.referrals.importing.parse import _looks_like_xml
from cmetrack.referrals.importing.rows import UnreadableFile

ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc): a compound document


class Container(StrEnum):
    XML = "xml"
    XLSX = "xlsx"
    TEXT = "text"


def container(data: bytes) -> Container:
    if data.startswith(ZIP):
        return Container.XLSX
    if data.startswith(OLE2):
        raise UnreadableFile(
            "This is an old-style Excel .xls file, which is not accepted. Save it as .xlsx or as "
            "'CSV UTF-8 (comma delimited)' and upload it again."
        )
    if _looks_like_xml(data):
        return Container.XML
    return Container.TEXT
