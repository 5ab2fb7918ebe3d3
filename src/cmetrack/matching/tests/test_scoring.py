"""The scorer: every kind of variation raises the weight, every trap lowers it, explained."""

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.matching.scoring import (
    Field,
    Level,
    PersonRecord,
    TermFrequencies,
    compare_dates_of_birth,
    level_weight,
    score,
)

AMELIA = PersonRecord(
    forenames="Amelia",
    surname="Smith",
    date_of_birth=date(2015, 3, 4),
    sex="F",
    upn="H801200001001",
    postcode="L20 7AE",
)


def _level(a: PersonRecord, b: PersonRecord, field: Field) -> Level:
    return score(a, b).comparison(field).level


def test_a_record_matches_itself_with_near_certainty() -> None:
    result = score(AMELIA, AMELIA)
    assert result.probability > 0.999
    assert not result.is_twin_trap


def test_explanation_lines_read_as_sentences_with_their_weight() -> None:
    result = score(replace(AMELIA, forenames="Millie"), AMELIA)
    assert "First name: 'Millie' is a known short form of 'Amelia' (+6.1)" in result.lines
    assert result.lines[1].startswith("Surname: 'Smith' is the same (+")


# --- first name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("other", "level"),
    [
        ("Amelia", Level.EXACT),
        ("AMELIA", Level.EXACT),
        ("Amelia Rose", Level.EXACT),
        ("Millie", Level.EQUIVALENT),
        ("Rose Amelia", Level.MIDDLE_NAME),
        ("Amelai", Level.JW_HIGH),
        ("Amelie", Level.JW_HIGH),
        ("Amalia", Level.JW_HIGH),  # one letter different: probably a typing error
        ("Ameera", Level.JW_LOW),
        ("Grace", Level.DIFFERENT),
        ("", Level.MISSING),
    ],
)
def test_first_name_levels(other: str, level: Level) -> None:
    b = replace(AMELIA, forenames=other, date_of_birth=date(2015, 5, 6))
    assert _level(AMELIA, b, Field.FORENAME) == level


def test_phonetic_only_agreement_is_its_own_level() -> None:
    a = PersonRecord(forenames="Kristopher", surname="X")
    b = PersonRecord(forenames="Cristofer", surname="X")
    assert _level(a, b, Field.FORENAME) in {Level.PHONETIC, Level.JW_LOW}


@pytest.mark.parametrize(
    ("a", "b"),
    [("Mohammed", "Muhammad"), ("Mohamed", "Mohammed"), ("Aleksander", "Alexander")],
)
def test_transliterations_are_equivalent(a: str, b: str) -> None:
    x = PersonRecord(forenames=a, surname="Khan", date_of_birth=date(2014, 1, 2))
    y = PersonRecord(forenames=b, surname="Khan", date_of_birth=date(2014, 1, 2))
    result = score(x, y)
    assert result.comparison(Field.FORENAME).level == Level.EQUIVALENT
    assert "spelling" in result.comparison(Field.FORENAME).text
    assert result.probability > 0.99


def test_accents_do_not_matter() -> None:
    assert _level(
        replace(AMELIA, forenames="Zoë"), replace(AMELIA, forenames="Zoe"), Field.FORENAME
    ) == (Level.EXACT)


def test_swapped_first_name_and_surname_are_recognised() -> None:
    a = PersonRecord(forenames="Ali", surname="Hassan", date_of_birth=date(2014, 1, 1))
    b = PersonRecord(forenames="Hassan", surname="Ali", date_of_birth=date(2014, 1, 1))
    result = score(a, b)
    assert result.comparison(Field.FORENAME).level == Level.SWAPPED
    assert result.comparison(Field.SURNAME).level == Level.SWAPPED
    assert "swapped" in result.lines[0]
    # Only names and a birth date to go on, at the default prior of 1 in 200,000.
    assert result.probability > 0.95


def test_an_alias_is_compared_too() -> None:
    known = replace(AMELIA, forenames="Amelia", other_names=(("Mia", "Jones"),))
    incoming = replace(AMELIA, forenames="Mia", surname="Jones", upn="")
    assert _level(known, incoming, Field.SURNAME) == Level.EXACT


# --- surname ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("other", "level"),
    [
        ("Smith", Level.EXACT),
        ("smith", Level.EXACT),
        ("Smith-Jones", Level.PART),
        ("Jones Smith", Level.PART),
        ("Smiht", Level.JW_HIGH),
        ("Smyth", Level.JW_LOW),
        ("Okafor", Level.DIFFERENT),
        ("", Level.MISSING),
    ],
)
def test_surname_levels(other: str, level: Level) -> None:
    assert _level(AMELIA, replace(AMELIA, surname=other), Field.SURNAME) == level


def test_hyphen_and_space_spellings_of_a_double_surname_are_the_same() -> None:
    a = replace(AMELIA, surname="Smith-Jones")
    assert _level(a, replace(AMELIA, surname="Smith Jones"), Field.SURNAME) == Level.EXACT


def test_frequent_surnames_weigh_less_than_rare_ones() -> None:
    tf = TermFrequencies(surnames={"SMITH": 0.012, "OYELARAN": 0.00001})
    common = score(AMELIA, AMELIA, term_frequencies=tf).comparison(Field.SURNAME)
    rare_a = replace(AMELIA, surname="Oyelaran")
    rare = score(rare_a, rare_a, term_frequencies=tf).comparison(Field.SURNAME)
    assert rare.weight > common.weight
    assert "common name" in common.text
    assert "rare name" in rare.text


def test_term_frequencies_are_built_from_records() -> None:
    records = [AMELIA, AMELIA, replace(AMELIA, surname="Okafor", forenames="Tom")]
    tf = TermFrequencies.from_records(records)
    assert tf.surnames["SMITH"] == pytest.approx(2 / 3)
    assert tf.forenames["TOM"] == pytest.approx(1 / 3)
    assert TermFrequencies.from_records([]) == TermFrequencies()


# --- date of birth ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("other", "level"),
    [
        (date(2015, 3, 4), Level.EXACT),
        (date(2015, 4, 3), Level.TRANSPOSED),
        (date(2015, 3, 5), Level.ONE_DAY),
        (date(2015, 3, 3), Level.ONE_DAY),
        (date(2015, 3, 7), Level.ONE_DIGIT),
        (date(2016, 3, 4), Level.ONE_DIGIT),
        (date(2019, 3, 4), Level.ONE_DIGIT),
        (date(2020, 3, 4), Level.DIFFERENT),
        (date(2012, 7, 21), Level.DIFFERENT),
        (None, Level.MISSING),
    ],
)
def test_date_of_birth_levels(other: date | None, level: Level) -> None:
    assert compare_dates_of_birth(date(2015, 3, 4), other).level == level


def test_year_one_apart_across_a_decade_is_recognised() -> None:
    assert compare_dates_of_birth(date(2009, 6, 1), date(2010, 6, 1)).level == Level.YEAR_NEAR


def test_transposed_date_explained() -> None:
    result = score(AMELIA, replace(AMELIA, date_of_birth=date(2015, 4, 3)))
    assert "Date of birth: day and month swapped" in result.lines[2]


# --- UPN --------------------------------------------------------------------------------------


def test_same_upn_is_decisive_even_with_other_fields_different() -> None:
    other = PersonRecord(
        forenames="Millie", surname="Smith-Jones", date_of_birth=date(2015, 4, 3), upn=AMELIA.upn
    )
    result = score(AMELIA, other)
    assert result.comparison(Field.UPN).level == Level.EXACT
    assert result.probability > 0.999


def test_a_former_upn_matches() -> None:
    other = replace(AMELIA, upn="W343200024001", former_upns=(AMELIA.upn,))
    assert _level(AMELIA, other, Field.UPN) == Level.FORMER


def test_a_mismatching_upn_is_not_a_veto() -> None:
    other = replace(AMELIA, upn="W343200024001")
    result = score(AMELIA, other)
    assert result.comparison(Field.UPN).level == Level.DIFFERENT
    assert result.comparison(Field.UPN).weight < 0
    assert result.probability > 0.99
    assert "not decisive" in result.comparison(Field.UPN).text


def test_a_upn_one_character_off_is_a_near_miss() -> None:
    assert _level(AMELIA, replace(AMELIA, upn="H801200001002"), Field.UPN) == Level.NEAR
    assert _level(AMELIA, replace(AMELIA, upn="H801200000101"), Field.UPN) == Level.NEAR


def test_missing_upn_has_no_effect() -> None:
    assert score(AMELIA, replace(AMELIA, upn="")).comparison(Field.UPN).weight == 0


# --- postcode and sex -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("other", "previous", "level"),
    [
        ("L20 7AE", (), Level.EXACT),
        ("l207ae", (), Level.EXACT),
        ("PR8 1DA", ("L20 7AE",), Level.PREVIOUS),
        ("L20 9ZZ", (), Level.OUTWARD),
        ("PR8 1DA", (), Level.DIFFERENT),
        ("", (), Level.MISSING),
    ],
)
def test_postcode_levels(other: str, previous: tuple[str, ...], level: Level) -> None:
    b = replace(AMELIA, postcode=other, previous_postcodes=previous)
    assert _level(AMELIA, b, Field.POSTCODE) == level


def test_moving_house_costs_little() -> None:
    moved = replace(AMELIA, postcode="PR8 1DA", upn="")
    assert score(AMELIA, moved).probability > 0.99


def test_sex_agreement_and_disagreement() -> None:
    assert _level(AMELIA, AMELIA, Field.SEX) == Level.AGREE
    assert _level(AMELIA, replace(AMELIA, sex="M"), Field.SEX) == Level.DIFFERENT
    assert _level(AMELIA, replace(AMELIA, sex="U"), Field.SEX) == Level.MISSING


# --- traps ------------------------------------------------------------------------------------


def test_twins_are_not_matched() -> None:
    twin = replace(AMELIA, forenames="Grace", upn="")
    result = score(AMELIA, twin)
    assert result.is_twin_trap
    assert result.probability < 0.01
    assert any("probably a twin" in line for line in result.lines)


def test_twins_with_similar_names_are_not_matched() -> None:
    jack = PersonRecord("Jack", "Brown", date(2016, 9, 1), "M", postcode="L20 7AE")
    jake = PersonRecord("Jake", "Brown", date(2016, 9, 1), "M", postcode="L20 7AE")
    assert score(jack, jake).probability < 0.01


def test_twins_whose_names_differ_by_a_letter_are_not_a_typing_error() -> None:
    # The one trap the batch linker matched (benchmark seed 5): Bella and Ella Barnes, same
    # birth date and postcode, different UPNs. Jaro-Winkler calls them "very similar", but both
    # are first names in their own right (data/given_names.csv), so they are different names.
    ella = PersonRecord(
        "Ella", "Barnes", date(2019, 2, 27), "F", upn="Z343513621561", postcode="L16 5PR"
    )
    bella = replace(ella, forenames="Bella", upn="B343312722853")
    result = score(bella, ella)
    assert result.comparison(Field.FORENAME).level == Level.DIFFERENT
    assert "each is a first name in its own right" in result.comparison(Field.FORENAME).text
    assert result.is_twin_trap
    assert result.probability < 1e-4
    # Without UPNs, too.
    assert score(replace(bella, upn=""), replace(ella, upn="")).probability < 1e-3


@pytest.mark.parametrize(("a", "b"), [("Sophia", "Sofia"), ("Sarah", "Sara"), ("Ella", "Ellie")])
def test_listed_spellings_of_a_given_name_are_not_twins(a: str, b: str) -> None:
    x = PersonRecord(a, "Barnes", date(2019, 2, 27), "F", postcode="L16 5PR")
    result = score(x, replace(x, forenames=b))
    assert not result.is_twin_trap
    assert result.probability > 0.99


def test_a_typing_error_of_a_listed_name_is_still_a_typing_error() -> None:
    x = PersonRecord("Isabella", "Barnes", date(2019, 2, 27), "F", postcode="L16 5PR")
    result = score(x, replace(x, forenames="Isabela"))
    assert result.comparison(Field.FORENAME).level == Level.JW_HIGH
    assert result.probability > 0.99


def test_a_sibling_at_the_same_address_is_not_matched() -> None:
    sibling = replace(AMELIA, forenames="Oliver", sex="M", date_of_birth=date(2016, 3, 4), upn="")
    result = score(AMELIA, sibling)
    assert result.is_twin_trap
    assert "brother or sister" in result.lines[-1]
    assert result.probability < 0.001


def test_a_nickname_is_not_a_twin() -> None:
    result = score(AMELIA, replace(AMELIA, forenames="Millie", upn=""))
    assert not result.is_twin_trap
    assert result.probability > 0.99


def test_a_typing_error_is_not_a_twin() -> None:
    result = score(AMELIA, replace(AMELIA, forenames="Amleia", upn=""))
    assert not result.is_twin_trap
    assert result.probability > 0.99


def test_same_upn_outweighs_the_twin_rule() -> None:
    # A child recorded under a completely different first name but the same UPN.
    result = score(AMELIA, replace(AMELIA, forenames="Nadia"))
    assert result.is_twin_trap
    assert result.probability > 0.5


def test_strangers_do_not_match() -> None:
    stranger = PersonRecord("Kai", "Okafor", date(2011, 12, 25), "M", postcode="PR8 1DA")
    assert score(AMELIA, stranger).probability < 1e-6


def test_weights_follow_m_and_u() -> None:
    assert level_weight(Field.SEX, Level.MISSING) == 0
    assert level_weight(Field.DATE_OF_BIRTH, Level.EXACT) > level_weight(
        Field.DATE_OF_BIRTH, Level.TRANSPOSED
    )


def test_percent_never_shows_certainty() -> None:
    assert score(AMELIA, AMELIA).percent == "99.9%"


# --- properties -------------------------------------------------------------------------------

_text = st.text(max_size=20)
_dates = st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2025, 12, 31))
_records = st.builds(
    PersonRecord,
    forenames=_text,
    surname=_text,
    date_of_birth=_dates,
    sex=st.sampled_from(["", "F", "M", "U", "x"]),
    upn=st.sampled_from(["", "H801200001001", "W343200024001", "h8012 00001001", "junk"]),
    former_upns=st.lists(st.sampled_from(["H801200001001", "G80120000101A"]), max_size=2).map(
        tuple
    ),
    postcode=st.sampled_from(["", "L20 7AE", "l207ae", "PR8 1DA", "L20 9ZZ", "nonsense"]),
    previous_postcodes=st.lists(st.sampled_from(["L20 7AE", "M1 1AE"]), max_size=2).map(tuple),
    other_names=st.lists(st.tuples(_text, _text), max_size=2).map(tuple),
)
_names = st.sampled_from(
    ["Amelia", "Millie", "Jack", "Zoë", "Mohammed", "Smith-Jones", "O'Brien", "Ali", "Hassan"]
)


@settings(max_examples=300, deadline=None)
@given(_records, _records)
def test_scoring_is_symmetric(a: PersonRecord, b: PersonRecord) -> None:
    ab, ba = score(a, b), score(b, a)
    assert ab.total_weight == pytest.approx(ba.total_weight)
    assert [c.level for c in ab.comparisons] == [c.level for c in ba.comparisons]


@settings(max_examples=300, deadline=None)
@given(_records)
def test_missing_or_odd_fields_never_raise(a: PersonRecord) -> None:
    result = score(a, PersonRecord())
    assert 0.0 <= result.probability <= 1.0
    assert all(c.weight == 0 for c in result.comparisons)


@settings(max_examples=300, deadline=None)
@given(_records, _names, _names, st.dates(min_value=date(2000, 1, 1)))
def test_a_record_with_names_and_birth_date_matches_itself(
    a: PersonRecord, forename: str, surname: str, dob: date
) -> None:
    record = replace(a, forenames=forename, surname=surname, date_of_birth=dob)
    assert score(record, record).probability > 0.99


@pytest.mark.parametrize(
    ("typed", "name"), [("Haray", "Harry"), ("Jkck", "Jack"), ("Chwoe", "Chloe")]
)
def test_one_letter_wrong_is_a_typing_error_not_a_twin(typed: str, name: str) -> None:
    # Jaro-Winkler puts these below 0.92; one letter wrong is still a typing error.
    child = PersonRecord(name, "Holmes", date(2018, 11, 26), "M", postcode="L11 2YS")
    result = score(replace(child, forenames=typed), child)
    assert result.comparison(Field.FORENAME).level == Level.JW_HIGH
    assert "differ by one letter" in result.comparison(Field.FORENAME).text
    assert not result.is_twin_trap
    assert result.probability > 0.99


def test_swapped_names_with_a_double_surname() -> None:
    a = PersonRecord("Theo", "Phillips-Hughes", date(2018, 7, 22), "M")
    b = PersonRecord("Phillips", "Theo", date(2018, 7, 22), "M")
    assert score(a, b).comparison(Field.FORENAME).level == Level.SWAPPED


def test_the_prior_follows_the_number_of_records_searched() -> None:
    from cmetrack.matching.scoring import PRIOR_RANGE, prior_for

    assert prior_for(200_000) == pytest.approx(5e-6)
    assert prior_for(3) == PRIOR_RANGE[1]
    assert prior_for(10**9) == PRIOR_RANGE[0]
    weak = replace(AMELIA, upn="", postcode="PR8 1DA", date_of_birth=date(2015, 3, 5))
    small = score(AMELIA, weak, prior=prior_for(1_000))
    large = score(AMELIA, weak, prior=prior_for(1_000_000))
    assert small.probability > large.probability
    assert small.lines == large.lines
