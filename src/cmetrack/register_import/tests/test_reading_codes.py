"""code_key, distinct_values and suggest_codes: the code-mapping step's proposals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.register_import.reading import code_key, distinct_values, suggest_codes
from cmetrack.register_import.reading.phrases import PHRASES
from cmetrack.register_import.rows import Choice, RegisterField, Sheet
from cmetrack.register_import.testing import register_choices

F = RegisterField


@pytest.fixture(scope="module")
def choices() -> dict[RegisterField, list[Choice]]:
    return register_choices()


def test_a_coded_cell_is_keyed_without_case_punctuation_or_spacing() -> None:
    assert code_key("  Left - gone ABROAD! ") == "left gone abroad"
    assert code_key("Moved\u200b abroad") == "moved abroad"
    assert code_key("") == ""


def test_every_phrase_is_written_as_its_code_key() -> None:
    for phrases in PHRASES.values():
        assert all(phrase == code_key(phrase) for phrase, _ in phrases)


def test_every_phrase_names_a_code_of_cmetracks_lists(
    choices: dict[RegisterField, list[Choice]],
) -> None:
    for field, phrases in PHRASES.items():
        codes = {choice.code for choice in choices[field]}
        assert {code for _, code in phrases} <= codes, field


def test_distinct_values_counts_each_coded_column_most_common_first() -> None:
    sheet = Sheet(
        header=("Name", "Reason", "Status"),
        rows=(("a", "EHE", "Open"), ("b", "ehe ", "closed"), ("c", "", "open"), ("d", "x", "Open")),
        row_numbers=(2, 3, 4, 5),
        source="csv",
    )
    assert distinct_values(sheet, {F.FULL_NAME: 0, F.REASON: 1, F.STATUS: 2}) == {
        F.REASON: [("ehe", 2), ("x", 1)],
        F.STATUS: [("open", 3), ("closed", 1)],
    }


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        (F.STATUS, "CLOSED", "closed"),  # a code
        (F.OUTCOME, "Moved abroad (confirmed)", "moved_abroad"),  # a label
        (F.REASON, "Left - gone abroad", "moved-abroad-believed"),  # a phrase inside it
        (F.REASON, "moved to Spain?", "moved-abroad-believed"),
        (F.OUTCOME, "gone abroad", "moved_abroad"),
        (F.REASON, "EHE", "ehe-unsuitable"),
        (F.OUTCOME, "EHE", "home_education"),
        (F.STATUS, "Complete", "closed"),
        (F.STATUS, "not found", "untraced"),  # "found" is inside the longer phrase
        (F.OUTCOME, "Handed to other LA", "handed_to_la"),
        (F.REFERRAL_SOURCE, "School nurse", "health"),
        (F.RISK, "Amber", "medium"),
        (F.REASON, "whereabouts unkown", "whereabouts-unknown"),  # a typo, by edit distance
        (F.REASON, "exluded", "excluded"),
        (F.REASON, "unknown", ""),  # unsure: the officer decides
        (F.REASON, "Removed from roll - not attending", ""),
        (F.STATUS, "Open - closed?", ""),  # two phrases, two codes: unsure
        (F.REASON, "", ""),
    ],
)
def test_a_value_is_suggested_a_code_only_when_the_match_is_clear(
    choices: dict[RegisterField, list[Choice]], field: RegisterField, value: str, code: str
) -> None:
    assert suggest_codes(field, [value], choices[field]) == {code_key(value): code}


def test_a_code_missing_from_the_authoritys_list_is_never_suggested() -> None:
    only = [Choice("school", "School")]
    assert suggest_codes(F.REFERRAL_SOURCE, ["Police", "school"], only) == {
        "police": "",
        "school": "school",
    }


@given(st.lists(st.text(max_size=40), max_size=20))
def test_any_values_get_a_code_of_the_list_or_nothing(values: list[str]) -> None:
    choices = [Choice("closed", "Closed"), Choice("enquiries", "Enquiries under way")]
    suggested = suggest_codes(F.STATUS, values, choices)
    assert set(suggested) == {code_key(v) for v in values}
    assert set(suggested.values()) <= {"", "closed", "enquiries"}
