from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.core.upn import (
    CHECK_LETTERS,
    RULE_BAD_LAST_CHARACTER,
    RULE_CHECK_LETTER,
    RULE_FORMAT,
    RULE_NOT_NUMERIC,
    UpnError,
    is_temporary_upn,
    is_valid_upn,
    normalise_upn,
    upn_check_letter,
    validate_upn,
)

permanent_bodies = st.text(alphabet="0123456789", min_size=12, max_size=12)
temporary_bodies = st.builds(
    lambda head, letter: head + letter,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(CHECK_LETTERS),
)
bodies = permanent_bodies | temporary_bodies


def _codes(value: str) -> list[int]:
    return [error.code for error in validate_upn(value)]


def test_letter_table_has_23_letters_without_i_o_s() -> None:
    assert len(CHECK_LETTERS) == 23
    assert not set("IOS") & set(CHECK_LETTERS)
    assert CHECK_LETTERS[0] == "A" and CHECK_LETTERS[22] == "Z"


# Known cases from STANDARDS.md.
@pytest.mark.parametrize(
    ("upn", "temporary"),
    [
        ("H801200001001", False),
        ("G80120000101A", True),
        ("P207000016049", False),  # a widely copied help page wrongly says Q
        ("W343200024001", False),  # synthetic Sefton
        ("V34320002401A", True),  # synthetic Sefton, temporary
    ],
)
def test_known_valid_upns(upn: str, temporary: bool) -> None:
    assert validate_upn(upn) == []
    assert is_valid_upn(upn)
    assert is_temporary_upn(upn) is temporary
    assert upn_check_letter(upn[1:]) == upn[0]


@pytest.mark.parametrize(
    ("upn", "expected_codes"),
    [
        ("Z801200001001", [RULE_CHECK_LETTER]),
        ("Q207000016049", [RULE_CHECK_LETTER]),
        ("G80120000101S", [RULE_BAD_LAST_CHARACTER]),  # S is never used
        ("G80120000101I", [RULE_BAD_LAST_CHARACTER]),
        ("G80120000101O", [RULE_BAD_LAST_CHARACTER]),
        ("H8012000A1001", [RULE_NOT_NUMERIC]),
        ("H8012000A100S", [RULE_NOT_NUMERIC, RULE_BAD_LAST_CHARACTER]),
        ("1801200001001", [RULE_CHECK_LETTER]),
        ("", [RULE_FORMAT]),
        ("   ", [RULE_FORMAT]),
        ("H80120000100", [RULE_FORMAT]),
        ("H8012000010011", [RULE_FORMAT]),
    ],
)
def test_known_invalid_upns_report_dfe_rule(upn: str, expected_codes: list[int]) -> None:
    assert _codes(upn) == expected_codes
    assert not is_valid_upn(upn)
    assert not is_temporary_upn(upn)


def test_error_messages_name_the_dfe_rule() -> None:
    assert validate_upn("Z801200001001") == [
        UpnError(1510, "UPN check letter is wrong (DfE rule 1510)")
    ]
    assert "1540" in validate_upn("H8012000A1001")[0].message
    assert "1550" in validate_upn("G80120000101S")[0].message
    assert "13 characters" in validate_upn("H80")[0].message


@pytest.mark.parametrize("raw", ["h801200001001", " H801 2000 01001 ", "h 801\t200001001\n"])
def test_spacing_and_case_are_normalised_before_validation(raw: str) -> None:
    assert normalise_upn(raw) == "H801200001001"
    assert is_valid_upn(raw)


def test_unicode_digits_are_not_accepted_as_digits() -> None:
    # Arabic-Indic eight in position 2: str.isdigit() would say yes.
    assert _codes("H\u0668" + "01200001001") == [RULE_NOT_NUMERIC]


@pytest.mark.parametrize(
    "body", ["", "80120000100", "8012000010011", "80120000A001", "80120000101S"]
)
def test_check_letter_rejects_malformed_bodies(body: str) -> None:
    with pytest.raises(ValueError, match="not a UPN body"):
        upn_check_letter(body)


@given(bodies)
def test_body_with_computed_check_letter_is_valid(body: str) -> None:
    upn = upn_check_letter(body) + body
    assert validate_upn(upn) == []
    assert is_temporary_upn(upn) is (body[-1] in CHECK_LETTERS)


@given(bodies, st.sampled_from(CHECK_LETTERS))
def test_any_other_check_letter_fails_rule_1510(body: str, letter: str) -> None:
    if letter == upn_check_letter(body):
        letter = CHECK_LETTERS[(CHECK_LETTERS.index(letter) + 1) % len(CHECK_LETTERS)]
    assert _codes(letter + body) == [RULE_CHECK_LETTER]


@given(st.text())
def test_garbage_never_raises(raw: str) -> None:
    errors = validate_upn(raw)
    assert all(isinstance(error, UpnError) for error in errors)
    assert is_valid_upn(raw) is (not errors)
    is_temporary_upn(raw)


@given(st.text())
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise_upn(raw)
    assert normalise_upn(once) == once
