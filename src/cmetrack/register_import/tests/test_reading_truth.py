"""The whole reading layer on a synthetic messy register: exactly what its truth says."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from cmetrack.register_import import reading
from cmetrack.register_import.rows import Choice, RegisterField
from cmetrack.register_import.testing import BAD_KINDS, DEFAULTS, messy_register, register_choices

TODAY = date(2026, 1, 15)
COMPARED = (
    "forenames",
    "middle_names",
    "surname",
    "date_of_birth",
    "referral_date",
    "reason_code",
    "referral_source",
    "status",
    "outcome",
    "closed_on",
    "legacy_reference",
    "upn",
)


@pytest.fixture(scope="module")
def choices() -> dict[RegisterField, list[Choice]]:
    return register_choices()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_messy_register_reads_as_its_truth_with_the_suggested_mappings(
    fmt: str, choices: dict[RegisterField, list[Choice]]
) -> None:
    data, truth = messy_register(2000, seed=7, fmt=fmt, today=TODAY)
    sheet = reading.read_sheet(data, f"register.{fmt}")
    mapping = reading.guess_mapping(sheet.header)
    assert reading.mapping_problems(mapping, sheet.header) == []
    codes = {
        field: reading.suggest_codes(field, [key for key, _ in values], choices[field])
        for field, values in reading.distinct_values(sheet, mapping).items()
    }
    rows, errors, warnings = reading.read_rows(
        sheet, mapping, codes, today=TODAY, defaults=DEFAULTS
    )

    read = {row.row: row for row in rows}
    failed = {error.row for error in errors}
    upn_warned = {w.row for w in warnings if w.field == "upn"}
    assert failed == {t.row for t in truth if t.error}
    assert set(read) == {t.row for t in truth if not t.error}
    for expected in truth:
        if expected.error:
            continue
        row = read[expected.row]
        assert {f: getattr(row, f) for f in COMPARED} == {
            f: getattr(expected, f) for f in COMPARED
        }, expected.row
        assert len(row.notes) == expected.notes, expected.row
        assert (expected.row in upn_warned) == expected.upn_warning, expected.row


def test_the_register_has_every_kind_of_mess_it_promises() -> None:
    _, truth = messy_register(2000, seed=7, fmt="csv", today=TODAY)
    kinds = Counter(t.kind for t in truth)
    assert all(kinds[kind] > 0 for kind in (*BAD_KINDS, "repeat"))
    assert sum(t.upn_warning for t in truth) > 0
    assert sum(t.status == "closed" for t in truth) > 0
    assert sum(t.notes > 1 for t in truth) > 0
    assert sum(t.date_of_birth is None and not t.error for t in truth) > 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_is_the_same_for_a_seed_and_differs_for_another(fmt: str) -> None:
    once = messy_register(200, seed=3, fmt=fmt, today=TODAY)[1]
    assert messy_register(200, seed=3, fmt=fmt, today=TODAY)[1] == once
    assert messy_register(200, seed=4, fmt=fmt, today=TODAY)[1] != once


def test_only_csv_and_xlsx_are_written() -> None:
    with pytest.raises(ValueError, match="fmt"):
        messy_register(10, fmt="ods", today=TODAY)
