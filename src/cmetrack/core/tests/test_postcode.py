from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.postcode import is_valid_postcode, normalise_postcode

# Examples from STANDARDS.md.
VALID = ["L20 7AE", "PR8 1DA", "SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "DN55 1PT", "N1C 4AG",
         "GIR 0AA"]  # fmt: skip
INVALID = ["Q1 1AA", "AI1 1AA", "L20 7AC", "L2O 7AE", "ZZ99 9ZZ", "BFPO 123"]


@pytest.mark.parametrize("postcode", VALID)
def test_standards_valid_postcodes(postcode: str) -> None:
    assert is_valid_postcode(postcode)
    assert normalise_postcode(postcode) == postcode


@pytest.mark.parametrize("postcode", INVALID)
def test_standards_invalid_postcodes(postcode: str) -> None:
    assert not is_valid_postcode(postcode)
    assert normalise_postcode(postcode) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("l20 7ae", "L20 7AE"),
        ("L207AE", "L20 7AE"),
        ("  sw1a1aa ", "SW1A 1AA"),
        ("PR8  1DA", "PR8 1DA"),
        ("P R 8 1 D A", "PR8 1DA"),
        ("pr8\u00a01da", "PR8 1DA"),  # non-breaking space pasted from a document
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_normalise_fixes_case_and_spacing(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "L20",
        "L20 7A",
        "L20 7AE X",
        "L20-7AE",
        "V1 1AA",  # first letter V
        "X1 1AA",  # first letter X
        "AJ1 1AA",  # second letter J
        "AZ1 1AA",  # second letter Z
        "L20 7IE",  # inward letter I
        "L20 7AK",  # inward letter K
        "L20 7MO",  # inward letters M and O
        "L20 7AV",  # inward letter V
        "L2I 7AE",  # I not allowed as A9A third character
        "SW1C 1AA",  # C not allowed as AA9A fourth character
        "L20 \u0667AE",  # Arabic-Indic seven
        "\u0131v1 1aa",  # dotless i upper-cases to ASCII I
    ],
)
def test_malformed_postcodes_are_rejected(raw: str) -> None:
    assert normalise_postcode(raw) is None


# Shape-only generator: every letter/digit mix of plausible length, valid or not.
alnum = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcz ", min_size=0, max_size=10)


@given(alnum | st.text())
def test_normalise_never_raises_and_is_idempotent(raw: str) -> None:
    normalised = normalise_postcode(raw)
    if normalised is not None:
        assert normalise_postcode(normalised) == normalised
        assert is_valid_postcode(normalised)
        assert normalised == normalised.upper() and normalised.count(" ") == 1
        assert len(normalised.split(" ")[1]) == 3
    assert is_valid_postcode(raw) is (normalised is not None)


@given(st.sampled_from(VALID), st.booleans())
def test_valid_postcodes_survive_any_case_and_spacing(postcode: str, lower: bool) -> None:
    raw = postcode.replace(" ", "")
    assert normalise_postcode(raw.lower() if lower else raw) == postcode
