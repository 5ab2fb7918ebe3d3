"""One roll field at a time: year groups, enrolment statuses, DfE numbers, UPNs, postcodes."""

from __future__ import annotations

import pytest

from cmetrack.rolls.reading import fields


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("R", "R"),
        ("Reception", "R"),
        ("Year R", "R"),
        ("YR", "R"),
        ("0", "R"),
        ("N1", "N1"),
        ("Nursery 2", "N2"),
        ("1", "1"),
        ("07", "7"),
        ("Year 7", "7"),
        ("Yr 11", "11"),
        ("Y9", "9"),
        ("NC Year 10", "10"),
        ("14", "14"),
        ("7.0", "7"),
        (7, "7"),
        (7.0, "7"),
        ("X", "X"),
        ("", ""),
        (None, ""),
    ],
)
def test_year_groups_are_normalised(given: object, expected: str) -> None:
    assert fields.parse_year_group(given) == expected


@pytest.mark.parametrize("given", ["15", "Year 15", "-1", "E1", "Nursery", "Q", "Year Seven"])
def test_unknown_year_groups_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="national curriculum year"):
        fields.parse_year_group(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("C", "C"),
        ("m", "M"),
        ("S", "S"),
        ("G", "G"),
        ("O", "O"),
        ("Single Registration", "C"),
        ("Current", "C"),
        ("Main - Dual Registration", "M"),
        ("Dual (main)", "M"),
        ("Subsidiary - Dual Registration", "S"),
        ("Dual Subsidiary", "S"),
        ("Guest", "G"),
        ("Other providing", "O"),
        ("", ""),
    ],
)
def test_enrolment_statuses_are_census_codes(given: str, expected: str) -> None:
    assert fields.parse_enrolment_status(given) == expected


@pytest.mark.parametrize("given", ["Dual", "X", "Leaver"])
def test_unknown_enrolment_statuses_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="enrolment status"):
        fields.parse_enrolment_status(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("343/2000", "3432000"),
        ("3432000", "3432000"),
        ("343 2000", "3432000"),
        (3432000, "3432000"),
    ],
)
def test_dfe_numbers_are_seven_digits(given: object, expected: str) -> None:
    assert fields.parse_laestab(given) == expected


@pytest.mark.parametrize("given", ["343/200", "34320000", "ABC/2000", "343//2000"])
def test_malformed_dfe_numbers_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="DfE number"):
        fields.parse_laestab(given)


def test_la_and_estab_given_apart_make_a_dfe_number_only_when_both_are_digits() -> None:
    assert fields.laestab_from_parts("343", "2000") == "3432000"
    assert fields.laestab_from_parts("343", 12) == "3430012"
    assert fields.laestab_from_parts("Sefton", "2000") == ""
    assert fields.laestab_from_parts("343", "") == ""


def test_upns_are_normalised_and_temporary_ones_accepted() -> None:
    assert fields.parse_upn(" w343 2000 24001 ") == "W343200024001"
    assert fields.parse_upn("G80120000101A") == "G80120000101A"
    assert fields.parse_upn("") == ""


@pytest.mark.parametrize(
    ("given", "rule"),
    [("Z801200001001", "1510"), ("G80120000101S", "1550"), ("H8012A0001001", "1540")],
)
def test_upns_failing_the_dfe_rules_are_refused_naming_the_rule(given: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        fields.parse_upn(given)


def test_postcodes_are_normalised_and_bad_ones_refused() -> None:
    assert fields.parse_postcode("sw1a1aa") == "SW1A 1AA"
    with pytest.raises(ValueError, match="not a UK postcode"):
        fields.parse_postcode("No fixed abode")


def test_sex_unknown_is_blank() -> None:
    assert [fields.parse_roll_sex(v) for v in ("F", "male", "U", "", "Not known")] == [
        "F",
        "M",
        "",
        "",
        "",
    ]
