"""guess_mapping and mapping_problems: which column holds which field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.register_import.reading import guess_mapping, heading_key, mapping_problems
from cmetrack.register_import.reading.columns import ALIASES
from cmetrack.register_import.rows import RegisterField as F


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Child's name", F.FULL_NAME),
        ("NAME", F.FULL_NAME),
        ("Surname/Family name", F.SURNAME),
        ("First name", F.FORENAMES),
        ("DOB", F.DATE_OF_BIRTH),
        ("D.O.B", F.DATE_OF_BIRTH),
        (" date of birth * ", F.DATE_OF_BIRTH),
        ("Date of referral", F.REFERRAL_DATE),
        ("Date referred", F.REFERRAL_DATE),
        ("Reason for referral", F.REASON),
        ("Case status", F.STATUS),
        ("Closure reason", F.OUTCOME),
        ("Outcome", F.OUTCOME),
        ("Date closed", F.CLOSED_ON),
        ("Last known school", F.LAST_SCHOOL),
        ("School", F.LAST_SCHOOL),
        ("Notes", F.NOTES),
        ("Case notes", F.NOTES),
        ("Comments", F.NOTES),
        ("ID", F.LEGACY_REFERENCE),
        ("Ref", F.LEGACY_REFERENCE),
        ("Case ID", F.LEGACY_REFERENCE),
        ("U.P.N.", F.UPN),
        ("Post code", F.POSTCODE),
        ("Parent/carer", F.PARENT_NAME),
        ("Source of referral", F.REFERRAL_SOURCE),
        ("RAG rating", F.RISK),
    ],
)
def test_a_common_heading_maps_to_its_field(heading: str, field: F) -> None:
    assert guess_mapping(["Something else", heading]) == {field: 1}


def test_case_space_and_punctuation_do_not_count_in_a_heading() -> None:
    assert heading_key("Child's  D.O.B *") == heading_key("childs dob") == "childsdob"


def test_the_first_column_naming_a_field_wins_and_unknown_headings_are_ignored() -> None:
    assert guess_mapping(["Notes", "Ethnicity", "Comments", "Name"]) == {F.NOTES: 0, F.FULL_NAME: 3}


def test_a_merged_name_is_not_guessed_when_the_parts_have_their_own_columns() -> None:
    mapping = guess_mapping(["Name", "Forename", "Surname", "DOB"])
    assert mapping == {F.FORENAMES: 1, F.SURNAME: 2, F.DATE_OF_BIRTH: 3}


def test_every_alias_is_stored_as_its_heading_key() -> None:
    assert all(key == heading_key(key) and key for key in ALIASES)


def test_a_mapping_with_a_name_and_a_referral_date_has_no_problems() -> None:
    assert mapping_problems({F.FULL_NAME: 0, F.REFERRAL_DATE: 1}) == []
    assert mapping_problems({F.FORENAMES: 0, F.SURNAME: 2, F.REFERRAL_DATE: 1}) == []


def test_a_mapping_without_a_name_or_a_referral_date_says_what_to_choose() -> None:
    assert mapping_problems({}) == [
        "Choose the column with the child's name: one column with the whole name, or the "
        "forenames and surname columns.",
        "Choose the column with the referral date: every case needs the date it began.",
    ]
    assert mapping_problems({F.FORENAMES: 0, F.REFERRAL_DATE: 1}) == [
        "Choose the column with the child's surname, or one column with the whole name."
    ]


def test_a_column_mapped_twice_or_missing_from_the_header_is_a_problem() -> None:
    problems = mapping_problems(
        {F.FULL_NAME: 0, F.REFERRAL_DATE: 1, F.CLOSED_ON: 1, F.NOTES: 5}, ("Name", "Date")
    )
    assert problems == [
        "Notes is mapped to column 6, which is not there.",
        "column 2 ('Date') is chosen for both Referral date and Closed on: choose one.",
    ]


@given(st.lists(st.text(max_size=30), max_size=30))
def test_any_header_maps_each_field_to_at_most_one_existing_column(header: list[str]) -> None:
    mapping = guess_mapping(header)
    assert all(0 <= index < len(header) for index in mapping.values())
    assert len(set(mapping.values())) == len(mapping)
    assert all(problem.endswith(".") for problem in mapping_problems(mapping, header))
