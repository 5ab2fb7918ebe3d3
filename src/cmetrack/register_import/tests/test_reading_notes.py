"""split_notes: a notes cell -> history notes, a new one on each line starting with a date."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from cmetrack.register_import.reading import split_notes
from cmetrack.register_import.rows import HistoryNote

TODAY = date(2026, 1, 15)


def test_dated_lines_start_notes_and_undated_lines_continue_them() -> None:
    cell = (
        "03/09/2024 Home visit, no answer\n  card left\n2024-09-10: Called school\n"
        "3 Oct 24 - Letter"
    )
    assert split_notes(cell, today=TODAY) == (
        HistoryNote("Home visit, no answer card left", date(2024, 9, 3)),
        HistoryNote("Called school", date(2024, 9, 10)),
        HistoryNote("Letter", date(2024, 10, 3)),
    )


def test_a_cell_with_no_dated_line_is_one_undated_note() -> None:
    cell = "Family known to social care.\r\nSibling at the same school."
    assert split_notes(cell, today=TODAY) == (
        HistoryNote("Family known to social care. Sibling at the same school."),
    )


def test_dated_entries_after_semicolons_or_bars_in_one_line_are_notes_of_their_own() -> None:
    cell = "07/10/2025 Letter to parent; 09/10/2025 Home visit: no answer | 3 Nov 25 Closed"
    assert split_notes(cell, today=TODAY) == (
        HistoryNote("Letter to parent", date(2025, 10, 7)),
        HistoryNote("Home visit: no answer", date(2025, 10, 9)),
        HistoryNote("Closed", date(2025, 11, 3)),
    )


def test_a_semicolon_before_something_that_only_looks_like_a_date_stays_in_the_text() -> None:
    assert split_notes("01/02/2025 Rang; 12/13 pupils in class", today=TODAY) == (
        HistoryNote("Rang; 12/13 pupils in class", date(2025, 2, 1)),
    )


def test_a_line_starting_with_numbers_that_are_not_a_date_is_text() -> None:
    assert split_notes("12/13/2024 typed wrongly", today=TODAY) == (
        HistoryNote("12/13/2024 typed wrongly"),
    )


def test_a_blank_cell_and_a_date_with_nothing_after_it_give_no_notes() -> None:
    assert split_notes(" \n ", today=TODAY) == ()
    assert split_notes("03/09/2024", today=TODAY) == ()


def test_control_characters_are_stripped() -> None:
    assert split_notes("Visit\x07 done\x1b", today=TODAY) == (HistoryNote("Visit done"),)


@given(st.text(max_size=200))
def test_any_cell_gives_clean_notes_without_raising(cell: str) -> None:
    for note in split_notes(cell, today=TODAY):
        assert note.text == note.text.strip()
        assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in note.text)
