"""The 15 grounds of regulation 9(1), one table: every letter, its meaning and its routing."""

import string

import pytest

from cmetrack.cases.models import MissingReason
from cmetrack.core.grounds import GROUND_CHOICES, GROUNDS, Route, ground

EXPECTED_ROUTE = {
    "a": Route.RECORD_ONLY,
    "b": Route.RECORD_ONLY,
    "c": Route.RECORD_ONLY,
    "d": Route.RECORD_ONLY,
    "e": Route.RECORD_ONLY,
    "f": Route.PASS_TO_EHE,
    "g": Route.OPEN_CASE,
    "h": Route.OPEN_CASE,
    "i": Route.OPEN_CASE,
    "j": Route.RECORD_ONLY,
    "k": Route.RECORD_ONLY,
    "l": Route.RECORD_ONLY,
    "m": Route.OPEN_CASE,
    "n": Route.OPEN_CASE,
    "o": Route.OPEN_CASE,
}


def test_there_are_exactly_fifteen_grounds_a_to_o_in_order() -> None:
    assert list(GROUNDS) == list(string.ascii_lowercase[:15])
    assert [code for code, _ in GROUND_CHOICES] == list(GROUNDS)


@pytest.mark.parametrize("code", list(EXPECTED_ROUTE))
def test_each_ground_routes_as_domain_section_4_says(code: str) -> None:
    g = GROUNDS[code]
    assert g.route_for(has_new_school=False) == EXPECTED_ROUTE[code]
    assert g.meaning and g.consequence
    assert g.regulation == f"regulation 9(1)({code})"


@pytest.mark.parametrize("code", list(EXPECTED_ROUTE))
def test_only_the_rules_the_regulations_name_apply(code: str) -> None:
    g = GROUNDS[code]
    assert g.needs_new_school == (code == "a")
    assert g.needs_la_confirmation == (code in {"h", "i"})
    assert g.records_ehe == (code == "f")
    assert g.destination_closes == (code in {"g", "n"})
    assert g.whereabouts_unknown == (code in {"h", "i"})


@pytest.mark.parametrize("code", ["g", "n"])
def test_a_confirmed_destination_school_turns_an_enquiry_into_a_record(code: str) -> None:
    assert GROUNDS[code].route_for(has_new_school=True) == Route.RECORD_ONLY


@pytest.mark.parametrize("code", sorted(set(EXPECTED_ROUTE) - {"g", "n"}))
def test_a_destination_school_does_not_change_other_grounds(code: str) -> None:
    assert GROUNDS[code].route_for(has_new_school=True) == EXPECTED_ROUTE[code]


@pytest.mark.parametrize("code", list(EXPECTED_ROUTE))
def test_every_case_opening_reason_exists_in_the_reference_data(code: str, db: None) -> None:
    assert MissingReason.objects.filter(code=GROUNDS[code].reason_code).exists()


@pytest.mark.parametrize("given", ["H", " h ", "(h)"])
def test_a_letter_is_found_whatever_its_case_or_brackets(given: str) -> None:
    assert ground(given).code == "h"


def test_an_unknown_letter_is_not_a_ground() -> None:
    with pytest.raises(KeyError):
        ground("p")
