from __future__ import annotations

import csv
import io
from dataclasses import fields
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmetrack.core.upn import CHECK_LETTERS, upn_check_letter
from cmetrack.referrals.importing.parse import parse_return_file
from cmetrack.referrals.importing.rows import (
    TEMPLATE_COLUMNS,
    ReturnRow,
    ReturnType,
    UnreadableFile,
)

from .helpers import DATA, GOOD_DELETION, csv_bytes

TODAY = date(2026, 11, 2)


def test_over_the_size_limit_is_refused_before_reading() -> None:
    data = csv_bytes(GOOD_DELETION)

    with pytest.raises(UnreadableFile, match=r"returns.csv is 0.0 MB, over the 0.0 MB limit"):
        parse_return_file(data, "returns.csv", max_bytes=len(data) - 1, today=TODAY)
    assert parse_return_file(data, "returns.csv", max_bytes=len(data), today=TODAY).ok


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n"])
def test_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFile, match="is empty"):
        parse_return_file(data, "returns.csv", today=TODAY)


def test_kind_is_decided_by_content_not_by_file_name() -> None:
    ctf = (DATA / "ctf_lost_pupil.xml").read_bytes()

    assert parse_return_file(ctf, "renamed.csv", today=TODAY).source.startswith("CTF")
    assert parse_return_file(b"\xef\xbb\xbf \r\n" + ctf, "x", today=TODAY).rows
    assert parse_return_file(csv_bytes(GOOD_DELETION), "looks.xml", today=TODAY).source == "CSV"


def test_utf16_ctf_is_read_as_xml() -> None:
    ctf = (DATA / "ctf_lost_pupil.xml").read_text(encoding="utf-8")
    data = ctf.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")

    assert len(parse_return_file(data, "lost.xml", today=TODAY).rows) == 1


# --- properties ----------------------------------------------------------------------------

PREFIXES = st.sampled_from(
    [b"", b"PK\x03\x04", b"<", b"<?xml version='1.0'?><CTfile>", b"\xef\xbb\xbf", b"\xff\xfe",
     ",".join(TEMPLATE_COLUMNS).encode() + b"\r\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, body=st.binary(max_size=400))
def test_arbitrary_bytes_never_raise_anything_but_unreadable_file(
    prefix: bytes, body: bytes
) -> None:
    try:
        parsed = parse_return_file(prefix + body, "anything", today=TODAY)
    except UnreadableFile as exc:
        assert str(exc)  # always a message for the user
    else:
        assert all(isinstance(r, ReturnRow) for r in parsed.rows)


# A valid UPN: 12-character body and its computed check letter.
upns = st.builds(
    lambda body: upn_check_letter(body) + body,
    st.text(alphabet="0123456789", min_size=11, max_size=11).flatmap(
        lambda head: st.sampled_from([head + d for d in "0123456789"] + [head + CHECK_LETTERS[3]])
    ),
)
names = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéöñ'- ABCXYZ,\"", min_size=1, max_size=20)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
plain = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ,.'-=+@", max_size=30).map(
    lambda s: " ".join(s.split())
)
urns = st.integers(100000, 999999).map(str)
days = st.dates(min_value=date(2010, 1, 1), max_value=TODAY)


@st.composite
def valid_rows(draw: st.DrawFn) -> ReturnRow:
    kind = draw(st.sampled_from(ReturnType))
    deletion = kind is ReturnType.DELETION
    ground = draw(st.sampled_from("abcdefghijklmno")) if deletion else ""
    return ReturnRow(
        row=2,
        return_type=kind,
        school_urn=draw(urns),
        surname=draw(names),
        forename=draw(names),
        # Born before every event date drawn below, so no start comes before the birth.
        date_of_birth=draw(st.dates(min_value=date(2003, 1, 1), max_value=date(2009, 12, 31))),
        sex=draw(st.sampled_from("FMU")),
        upn=draw(upns | st.just("")),
        address_line_1=draw(plain),
        town=draw(plain),
        postcode=draw(st.sampled_from(["", "L20 7AE", "PR8 1DA", "not a postcode"])),
        parent_name=draw(plain),
        parent_phone=draw(st.sampled_from(["", "07700 900123", "+44 151 496 0000"])),
        ground=ground,
        deletion_date=draw(days) if deletion else draw(st.none() | days),
        start_date=draw(st.none() | days) if deletion else draw(days),
        new_school_urn=draw(urns) if ground == "a" else draw(urns | st.just("")),
        new_address=draw(plain),
        date_of_move=draw(st.none() | days),
    )


def _row_csv(row: ReturnRow, iso: bool) -> bytes:
    def cell(value: object) -> str:
        if isinstance(value, date):
            return value.isoformat() if iso else value.strftime("%d/%m/%Y")
        return "" if value is None else str(value)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow([cell(getattr(row, name)) for name in TEMPLATE_COLUMNS])
    return out.getvalue().encode()


@settings(max_examples=150, deadline=None)
@given(row=valid_rows(), iso=st.booleans())
def test_any_valid_row_round_trips_through_csv(row: ReturnRow, iso: bool) -> None:
    parsed = parse_return_file(_row_csv(row, iso), "round-trip.csv", today=TODAY)

    assert parsed.errors == ()
    assert parsed.rows == (row,), [
        (f.name, getattr(row, f.name), getattr(parsed.rows[0], f.name))
        for f in fields(row)
        if parsed.rows and getattr(row, f.name) != getattr(parsed.rows[0], f.name)
    ]
