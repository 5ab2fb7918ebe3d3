from __future__ import annotations

import dataclasses

import pytest

from cmetrack.core.row_errors import RowError


def test_reads_as_a_line_an_officer_can_act_on() -> None:
    error = RowError(4, "URN", "must be 6 digits, found '12345'")
    assert str(error) == "row 4, URN: must be 6 digits, found '12345'"


def test_is_a_value_equal_by_row_field_and_message() -> None:
    assert RowError(2, "upn", "Invalid UPN") == RowError(row=2, field="upn", message="Invalid UPN")
    assert RowError(2, "upn", "Invalid UPN") != RowError(3, "upn", "Invalid UPN")
    assert len({RowError(2, "upn", "x"), RowError(2, "upn", "x")}) == 1


def test_cannot_be_changed_once_reported() -> None:
    error = RowError(2, "upn", "Invalid UPN")
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.row = 3  # type: ignore[misc]
