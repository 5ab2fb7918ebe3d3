"""read_rows: every row checked, every problem collected; errors only where no case can be made."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.register_import.reading import read_rows
from cmetrack.register_import.rows import (
    CodeMapping,
    HistoryNote,
    RegisterField,
    RegisterRow,
    RowError,
    RowWarning,
    Sheet,
)

F = RegisterField
TODAY = date(2026, 1, 15)
UPN = "W343200024001"  # valid (check letter computed by cmetrack.core.upn)

COLUMNS = (
    F.LEGACY_REFERENCE,
    F.FULL_NAME,
    F.DATE_OF_BIRTH,
    F.UPN,
    F.POSTCODE,
    F.REFERRAL_DATE,
    F.REASON,
    F.REFERRAL_SOURCE,
    F.STATUS,
    F.OUTCOME,
    F.CLOSED_ON,
    F.NOTES,
)
MAPPING = {field: index for index, field in enumerate(COLUMNS)}
CODES: CodeMapping = {
    F.REASON: {"gone abroad": "moved-abroad-believed", "unknown": ""},
    F.REFERRAL_SOURCE: {"school": "school"},
    F.STATUS: {"open": "enquiries", "closed": "closed"},
    F.OUTCOME: {"moved abroad": "moved_abroad"},
}
DEFAULTS = {F.REASON: "other", F.REFERRAL_SOURCE: "other", F.STATUS: "referred"}
GOOD = {
    F.LEGACY_REFERENCE: "CME1",
    F.FULL_NAME: "SMITH, John Paul",
    F.DATE_OF_BIRTH: "01/02/2015",
    F.UPN: UPN,
    F.POSTCODE: "l20 7ae",
    F.REFERRAL_DATE: "3 Sep 2025",
    F.REASON: "Gone abroad",
    F.REFERRAL_SOURCE: "School",
    F.STATUS: "Open",
}


def _read(
    *rows: dict[RegisterField, str],
) -> tuple[list[RegisterRow], list[RowError], list[RowWarning]]:
    sheet = Sheet(
        header=tuple(f.value for f in COLUMNS),
        rows=tuple(tuple(row.get(f, "") for f in COLUMNS) for row in rows),
        row_numbers=tuple(range(2, len(rows) + 2)),
        source="csv",
    )
    return read_rows(sheet, MAPPING, CODES, today=TODAY, defaults=DEFAULTS)


def _errors(*rows: dict[RegisterField, str]) -> list[tuple[int, str]]:
    return [(e.row, e.field) for e in _read(*rows)[1]]


def test_a_good_row_becomes_a_register_row_with_codes_and_parts() -> None:
    rows, errors, warnings = _read(GOOD)
    assert errors == [] and warnings == []
    assert rows == [
        RegisterRow(
            row=2,
            forenames="John",
            surname="SMITH",
            middle_names="Paul",
            date_of_birth=date(2015, 2, 1),
            referral_date=date(2025, 9, 3),
            reason_code="moved-abroad-believed",
            referral_source="school",
            status="enquiries",
            legacy_reference="CME1",
            upn=UPN,
            postcode="L20 7AE",
        )
    ]


def test_a_row_with_a_name_and_a_postcode_but_no_date_of_birth_is_imported_with_a_warning() -> None:
    rows, errors, warnings = _read({**GOOD, F.DATE_OF_BIRTH: "", F.UPN: ""})
    assert errors == []
    assert rows[0].date_of_birth is None
    assert [w.field for w in warnings] == ["date_of_birth"]


def test_a_bad_upn_is_dropped_with_a_warning_naming_it() -> None:
    rows, errors, warnings = _read({**GOOD, F.UPN: "A343200024001"})
    assert errors == [] and rows[0].upn == ""
    assert (
        warnings[0].field == "upn" and "'A343200024001' is not a valid UPN" in warnings[0].message
    )


def test_an_odd_postcode_and_an_age_outside_school_age_are_warnings() -> None:
    rows, errors, warnings = _read({**GOOD, F.POSTCODE: "XX1", F.DATE_OF_BIRTH: "01/02/2008"})
    assert errors == [] and rows[0].postcode == "XX1"
    assert sorted(w.field for w in warnings) == ["date_of_birth", "postcode"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({F.FULL_NAME: "  "}, "full_name"),
        ({F.DATE_OF_BIRTH: "", F.UPN: "", F.POSTCODE: ""}, "date_of_birth"),
        ({F.DATE_OF_BIRTH: "31/02/2015"}, "date_of_birth"),
        ({F.DATE_OF_BIRTH: "01/02/2027"}, "date_of_birth"),
        ({F.REFERRAL_DATE: ""}, "referral_date"),
        ({F.REFERRAL_DATE: "sometime"}, "referral_date"),
        ({F.REFERRAL_DATE: "01/02/2026"}, "referral_date"),  # after TODAY
        ({F.REASON: "Moved to Mars"}, "reason"),  # a value nobody mapped
        ({F.STATUS: "Closed", F.OUTCOME: "Moved abroad"}, "closed_on"),
        ({F.STATUS: "Closed", F.CLOSED_ON: "01/10/2025"}, "outcome"),
        ({F.STATUS: "Closed", F.OUTCOME: "Moved abroad", F.CLOSED_ON: "01/08/2025"}, "closed_on"),
    ],
)
def test_a_row_no_case_can_be_made_from_is_an_error_and_no_row(
    change: dict[RegisterField, str], field: str
) -> None:
    rows, errors, _ = _read({**GOOD, **change})
    assert rows == []
    assert [e.field for e in errors] == [field]


def test_every_problem_of_a_row_is_collected_not_only_the_first() -> None:
    bad = {**GOOD, F.FULL_NAME: "", F.REFERRAL_DATE: "x", F.REASON: "Moved to Mars"}
    assert _errors(bad) == [(2, "full_name"), (2, "referral_date"), (2, "reason")]


def test_an_unmapped_value_error_names_it_and_says_where_to_map_it() -> None:
    _, errors, _ = _read({**GOOD, F.REASON: "Moved to Mars "})
    assert errors[0].message == (
        "'Moved to Mars' is not mapped to one of cmetrack's codes: map it in the code-mapping step"
    )


def test_a_value_mapped_to_no_value_and_a_blank_take_the_default() -> None:
    blanks = {F.LEGACY_REFERENCE: "2", F.FULL_NAME: "Al Jones", F.REASON: "",
              F.REFERRAL_SOURCE: "", F.STATUS: ""}  # fmt: skip
    rows, errors, _ = _read({**GOOD, F.REASON: "unknown"}, {**GOOD, **blanks})
    assert errors == []
    assert [(r.reason_code, r.referral_source, r.status) for r in rows] == [
        ("other", "school", "enquiries"),
        ("other", "other", "referred"),
    ]


def test_a_blank_required_code_without_a_default_is_an_error() -> None:
    sheet = Sheet(("n", "d"), (("Jo Bloggs", "01/09/2025"),), (2,), "csv")
    _, errors, _ = read_rows(sheet, {F.FULL_NAME: 0, F.REFERRAL_DATE: 1}, {}, today=TODAY)
    assert {e.field for e in errors} == {"date_of_birth", "reason", "referral_source", "status"}


def test_an_open_status_with_an_outcome_is_closed_with_a_warning() -> None:
    rows, errors, warnings = _read({**GOOD, F.OUTCOME: "Moved abroad", F.CLOSED_ON: "01/10/2025"})
    assert errors == []
    assert (rows[0].status, rows[0].outcome, rows[0].closed_on) == (
        "closed",
        "moved_abroad",
        date(2025, 10, 1),
    )
    assert warnings[0].message == "is 'Open' but the row has an outcome: imported as closed"


def test_the_same_legacy_reference_twice_is_an_error_on_the_second() -> None:
    second = {**GOOD, F.FULL_NAME: "Al Jones", F.STATUS: "Closed", F.OUTCOME: "Moved abroad",
              F.CLOSED_ON: "01/10/2025"}  # fmt: skip
    assert _errors(GOOD, second) == [(3, "legacy_reference")]


def test_the_same_child_open_twice_is_an_error_but_closed_then_open_is_not() -> None:
    closed = {**GOOD, F.STATUS: "Closed", F.OUTCOME: "Moved abroad", F.CLOSED_ON: "01/10/2025"}
    again = {**GOOD, F.LEGACY_REFERENCE: "CME2", F.FULL_NAME: "john paul smith"}
    assert _errors(closed, again) == []
    assert _errors(GOOD, again) == [(3, "status")]


def test_notes_become_history_notes_and_control_characters_go() -> None:
    rows, _, _ = _read({**GOOD, F.NOTES: "01/09/2025 Visit\x07\n02/09/2025 Call"})
    assert rows[0].notes == (
        HistoryNote("Visit", date(2025, 9, 1)),
        HistoryNote("Call", date(2025, 9, 2)),
    )


def test_separate_name_columns_are_used_as_they_are() -> None:
    sheet = Sheet(
        ("f", "m", "s", "d", "r"),
        (("Mary-Jane", "Anne", "O'Neil", "01/02/2015", "01/09/2025"),),
        (2,),
        "csv",
    )
    mapping = {F.FORENAMES: 0, F.MIDDLE_NAMES: 1, F.SURNAME: 2, F.DATE_OF_BIRTH: 3,
               F.REFERRAL_DATE: 4}  # fmt: skip
    rows, errors, _ = read_rows(sheet, mapping, {}, today=TODAY, defaults=DEFAULTS)
    assert errors == []
    assert (rows[0].forenames, rows[0].middle_names, rows[0].surname) == (
        "Mary-Jane",
        "Anne",
        "O'Neil",
    )


_CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "Open", "Closed", "gone abroad", "Moved abroad", "School", UPN]),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
)


@settings(max_examples=200)
@given(st.lists(st.tuples(*[_CELL] * len(COLUMNS)), max_size=8))
def test_any_cells_give_rows_errors_and_warnings_without_raising(
    cells: list[tuple[str, ...]],
) -> None:
    sheet = Sheet(
        tuple(f.value for f in COLUMNS), tuple(cells), tuple(range(2, len(cells) + 2)), "csv"
    )
    rows, errors, _ = read_rows(sheet, MAPPING, CODES, today=TODAY, defaults=DEFAULTS)
    failed = {e.row for e in errors}
    assert {r.row for r in rows}.isdisjoint(failed)
    assert len(rows) + len(failed) == len(cells)
    for row in rows:
        assert row.forenames or row.surname
        assert row.referral_date <= TODAY
        assert (row.status == "closed") == bool(row.outcome) == (row.closed_on is not None)
