from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.referrals.importing.values import (
    FORMULA_PREFIXES,
    clean_text,
    neutralise_formula,
    parse_date,
    parse_ground,
    parse_sex,
    parse_urn,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-09-01", date(2025, 9, 1)),
        ("01/09/2025", date(2025, 9, 1)),
        ("1/9/2025", date(2025, 9, 1)),
        (" 2025-09-01 00:00:00 ", date(2025, 9, 1)),
        (datetime(2025, 9, 1, 0, 0), date(2025, 9, 1)),
        (date(2025, 9, 1), date(2025, 9, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read_in_iso_and_uk_forms(text: object, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2015", "2015-02-31", "29/02/2023", "00/01/2015"])
def test_a_date_that_does_not_exist_is_not_a_real_date(text: str) -> None:
    with pytest.raises(ValueError, match="is not a real date"):
        parse_date(text)


@pytest.mark.parametrize("text", ["09/01/25", "2025/09/01", "1st Sept 2025", "01-09-2025"])
def test_other_date_formats_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD or DD/MM/YYYY"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("F", "F"),
        ("female", "F"),
        ("Male", "M"),
        ("m", "M"),
        ("U", "U"),
        ("unknown", "U"),
        ("", "U"),
    ],
)
def test_sex_accepts_letters_and_words(text: str, expected: str) -> None:
    assert parse_sex(text) == expected


def test_sex_refuses_anything_else() -> None:
    with pytest.raises(ValueError, match="F, M or U"):
        parse_sex("X")


@pytest.mark.parametrize("text", ["a", "A", "(a)", "( A )"])
def test_ground_accepts_the_letter_in_any_case_with_or_without_brackets(text: str) -> None:
    assert parse_ground(text) == "a"


@pytest.mark.parametrize("text", ["p", "z", "aa", "9(1)(a)", "1"])
def test_ground_refuses_letters_outside_a_to_o(text: str) -> None:
    with pytest.raises(ValueError, match="a to o"):
        parse_ground(text)


@pytest.mark.parametrize("text", ["12345", "1234567", "10451A", "104 512"])
def test_urn_must_be_six_digits(text: str) -> None:
    with pytest.raises(ValueError, match="6-digit URN"):
        parse_urn(text)


def test_urn_from_a_numeric_spreadsheet_cell_loses_the_decimal_point() -> None:
    assert parse_urn(104512.0) == "104512"


def test_clean_text_trims_collapses_spaces_drops_controls_and_composes_accents() -> None:
    assert clean_text("  Zoe\u0301 \u00a0 \u200bSmith\x07 ") == "Zoé Smith"


@pytest.mark.parametrize("text", ["=1+1", "+44 151", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_neutralise_formula_quotes_cells_that_a_spreadsheet_would_run(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


def test_neutralise_formula_leaves_ordinary_text_alone() -> None:
    assert neutralise_formula("Smith-Jones") == "Smith-Jones"
    assert neutralise_formula("") == ""


@given(st.text())
def test_neutralise_formula_output_never_starts_with_a_formula_character(text: str) -> None:
    result = neutralise_formula(text)
    assert not result.startswith(FORMULA_PREFIXES)
    assert result in (text, "'" + text)
