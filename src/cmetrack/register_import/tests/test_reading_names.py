"""split_name: one merged name cell -> forenames, middle names, surname."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.register_import.reading import SplitName, split_name


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("SMITH, John", SplitName("John", "", "SMITH")),
        ("Smith, John Paul", SplitName("John", "Paul", "Smith")),
        ("SMITH John Paul", SplitName("John", "Paul", "SMITH")),
        ("John Smith", SplitName("John", "", "Smith")),
        ("john  smith ", SplitName("john", "", "smith")),
        ("Mary-Jane O'Neil", SplitName("Mary-Jane", "", "O'Neil")),
        ("O'NEIL, Mary-Jane Anne", SplitName("Mary-Jane", "Anne", "O'NEIL")),
        ("JOHN SMITH", SplitName("JOHN", "", "SMITH")),  # all capitals: no clue, last word
        ("Zoë\u200b D'Souza", SplitName("Zoë", "", "D'Souza")),  # a zero-width space dropped
        ("Smith,", SplitName("", "", "Smith")),
        ("Jo", SplitName("Jo", "", "")),
        ("", SplitName("", "", "")),
        (" , ", SplitName("", "", "")),
    ],
)
def test_a_merged_name_splits_as_a_case_list_writes_it(cell: str, expected: SplitName) -> None:
    assert split_name(cell) == expected


_WORD = st.from_regex(r"\A[A-Z][a-z]{1,8}(?:[-'][A-Z][a-z]{1,8})?\Z")


@given(_WORD, st.lists(_WORD, max_size=2), _WORD, st.sampled_from(["comma", "capitals", "plain"]))
def test_a_name_written_in_any_form_reads_back_to_its_parts(
    forename: str, middle: list[str], surname: str, form: str
) -> None:
    given_names = " ".join([forename, *middle])
    if form == "comma":
        cell, expected_surname = f"{surname.upper()}, {given_names}", surname.upper()
    elif form == "capitals":
        cell, expected_surname = f"{surname.upper()} {given_names}", surname.upper()
    else:
        cell, expected_surname = f"{given_names} {surname}", surname
    assert split_name(cell) == SplitName(forename, " ".join(middle), expected_surname)


@given(st.text(max_size=60))
def test_any_cell_splits_into_clean_parts_without_raising(cell: str) -> None:
    parts = split_name(cell)
    for part in (parts.forenames, parts.middle_names, parts.surname):
        assert part == part.strip()
        assert "," not in part or part is parts.surname
