"""Issue 14, linkage recall: a birth date one day out, names swapped with a typing error, the
keys that find them, and the online scorer and the batch linker giving the same levels."""

from __future__ import annotations

import logging
import math
import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.matching.keys import blocking_keys
from cmetrack.matching.name_comparison import names_swapped
from cmetrack.matching.scoring import (
    LEVELS,
    TWIN_PENALTY,
    Field,
    Level,
    PersonRecord,
    compare_dates_of_birth,
    level_weight,
    score,
)

SCHOOL_AGE = st.dates(min_value=date(2005, 1, 2), max_value=date(2024, 12, 30))


# --- date of birth one day apart --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (date(2015, 3, 4), date(2015, 3, 5)),
        (date(2015, 12, 31), date(2016, 1, 1)),  # across a year: four digits differ
        (date(2016, 2, 29), date(2016, 3, 1)),
        (date(2014, 6, 30), date(2014, 7, 1)),
    ],
)
def test_dates_a_day_apart_are_their_own_level(a: date, b: date) -> None:
    comparison = compare_dates_of_birth(a, b)
    assert comparison.level == Level.ONE_DAY
    assert "one day apart" in comparison.text


@given(SCHOOL_AGE, st.sampled_from([-1, 1]))
def test_one_day_apart_either_way_is_one_day_and_symmetric(day: date, step: int) -> None:
    other = day + timedelta(days=step)
    assert compare_dates_of_birth(day, other).level == Level.ONE_DAY
    assert compare_dates_of_birth(other, day).level == Level.ONE_DAY


@given(SCHOOL_AGE, st.integers(min_value=2, max_value=40))
def test_two_or_more_days_apart_is_not_one_day(day: date, days: int) -> None:
    assert compare_dates_of_birth(day, day + timedelta(days=days)).level != Level.ONE_DAY


def test_one_day_weighs_more_than_one_digit_and_less_than_exact() -> None:
    f = Field.DATE_OF_BIRTH
    _m, u = LEVELS[f][Level.ONE_DAY]
    # Two dates (the day before and after) of the ~4,400 of a school-age span.
    assert u == pytest.approx(2 / 4400, rel=0.05)
    assert level_weight(f, Level.ONE_DIGIT) < level_weight(f, Level.ONE_DAY)
    assert level_weight(f, Level.ONE_DAY) < level_weight(f, Level.EXACT)
    assert sum(m for m, _ in LEVELS[f].values()) == pytest.approx(1.0)


def test_a_day_out_and_a_move_is_still_a_likely_match() -> None:
    a = PersonRecord(
        forenames="Keira", surname="Oyelaran", date_of_birth=date(2014, 5, 9), postcode="L20 7AE"
    )
    b = PersonRecord(
        forenames="Keira", surname="Oyelaran", date_of_birth=date(2014, 5, 10), postcode="PR8 1DA"
    )
    assert score(a, b, prior=1 / 200_000).probability > 0.5


# --- names swapped, with a typing error -------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("IMOGEN", "SHAW"), ("SHAW", "IMOGEN")),
        (("IMOGEN", "SHAW"), ("SFAW", "IMOGEN")),  # typo in the half that was the surname
        (("FREYA", "SCOTT"), ("SCOTT", "FRELA")),  # typo in the half that was the first name
        (("AISHA", "WILSON LLOYD"), ("LLOYD", "AISHA")),  # one part of a double surname
    ],
)
def test_swapped_names_are_recognised(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert names_swapped(a[0], a[1], b[0], b[1])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("OSCAR", "LEWIS"), ("LEWIS", "LEWIS")),
        (("IMOGEN", "SHAW"), ("IMOGEN", "SHAW")),
        (("IMOGEN", "SHAW"), ("SHAW", "ISLA")),
        (("AVA", "LI"), ("LU", "AVA")),  # too short for "one letter wrong"
    ],
)
def test_not_a_swap(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not names_swapped(a[0], a[1], b[0], b[1])


NAME = st.text(alphabet="ABEHILMNORSTY", min_size=2, max_size=7)


@given(NAME, NAME, NAME, NAME)
def test_swap_test_is_symmetric(fa: str, sa: str, fb: str, sb: str) -> None:
    assert names_swapped(fa, sa, fb, sb) == names_swapped(fb, sb, fa, sa)


def test_a_swap_with_a_typing_error_scores_as_swapped() -> None:
    a = PersonRecord(forenames="Imogen", surname="Shaw", date_of_birth=date(2012, 12, 26))
    b = PersonRecord(forenames="Sfaw", surname="Imogen", date_of_birth=date(2012, 12, 26))
    levels = {c.field: c.level for c in score(a, b).comparisons}
    assert levels[Field.FORENAME] == Level.SWAPPED
    assert levels[Field.SURNAME] == Level.SWAPPED


# --- candidate keys ---------------------------------------------------------------------------


def _stored(forename: str, surname: str, dob: date | None, postcode: str = "") -> set[str]:
    return blocking_keys(
        forenames=[forename], surnames=[surname], date_of_birth=dob, postcodes=[postcode]
    )


def _search(forename: str, surname: str, dob: date | None, postcode: str = "") -> set[str]:
    return blocking_keys(
        forenames=[forename],
        surnames=[surname],
        date_of_birth=dob,
        postcodes=[postcode],
        for_search=True,
    )


def test_a_child_is_filed_under_its_first_name_sound() -> None:
    keys = _stored("Tyler", "Harris", date(2016, 7, 25))
    assert "fnp:TYLAR:H:2016" in keys


@given(SCHOOL_AGE, st.sampled_from([-1, 1]))
def test_a_search_finds_a_birth_date_a_day_out(day: date, step: int) -> None:
    found = _stored("Keira", "Oyelaran", day + timedelta(days=step))
    dob_keys = {k for k in found if k.startswith("dob:")}
    assert dob_keys & _search("Zed", "Quux", day)


def test_a_search_finds_swapped_names_with_a_typing_error_in_either_half() -> None:
    child = _stored("Imogen", "Shaw", date(2012, 12, 26))
    name_keys = {k for k in child if k.startswith(("fnp:", "snp:"))}
    # No shared date or postcode: only the name sound keys can find these.
    assert name_keys & _search("Shaw", "Imogan", date(2012, 2, 3))
    assert name_keys & _search("Shau", "Imogen", date(2012, 2, 3))


def test_a_search_finds_a_first_name_that_sounds_the_same() -> None:
    child = _stored("Katelyn", "Oyelaran", date(2014, 5, 9))
    fnp = {k for k in child if k.startswith("fnp:")}
    assert fnp & _search("Katelynn", "Olayeran", None)
    # Only with the surname's initial: a common first name's block stays small.
    assert not fnp & _search("Katelynn", "Adeyemi", None)


def test_a_birth_date_a_week_out_with_nothing_else_shared_is_not_found() -> None:
    child = _stored("Keira", "Oyelaran", date(2014, 5, 9), "L20 7AE")
    assert not child & _search("Zed", "Quux", date(2014, 5, 16), "PR8 1DA")


# --- one model, two engines -------------------------------------------------------------------

FIRST = [
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Imogen",
    "Freya",
    "Ella",
    "Bella",
    "Lewis",
    "Oscar",
    "Mohammed",
    "Muhammad",
    "Katie",
    "Kate",
    "Tyler",
    "Megan",
    "Aisha",
    "Scott",
]
SURNAMES = [
    "Smith",
    "Smyth",
    "Shaw",
    "Scott",
    "Lewis",
    "Jones",
    "Wilson-Lloyd",
    "Lloyd",
    "Oyelaran",
    "Khan",
    "Thompson",
    "Thomson",
    "Harris",
    "Begum",
]


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(len(word) - 1)
    return rng.choice(
        [
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],
            word[:i] + word[i + 1 :],
            word[:i] + rng.choice("aeiouxz") + word[i + 1 :],
        ]
    )


def _pairs(n: int, seed: int) -> list[tuple[dict[str, str], dict[str, str]]]:
    """Random pairs of records, the second often a noisy copy of the first."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        dob = date(2010, 1, 1) + timedelta(days=rng.randrange(4000))
        a = {
            "id": f"a{i}",
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(SURNAMES),
            "date_of_birth": dob.isoformat(),
            "sex": rng.choice("FM"),
            "postcode": rng.choice(["L20 7AE", "L20 9ZZ", "PR8 1DA"]),
            "upn": "",
        }
        b = dict(a, id=f"b{i}")
        for _ in range(rng.randrange(3)):
            noise = rng.randrange(7)
            if noise == 0:
                b["first_name"], b["last_name"] = b["last_name"], b["first_name"]
            elif noise == 1:
                b["first_name"] = _typo(rng, b["first_name"])
            elif noise == 2:
                b["last_name"] = _typo(rng, b["last_name"])
            elif noise == 3:
                day = date.fromisoformat(b["date_of_birth"])
                b["date_of_birth"] = (day + timedelta(days=rng.choice([-1, 1]))).isoformat()
            elif noise == 4:
                b["first_name"] = rng.choice(FIRST)
            elif noise == 5:
                b["date_of_birth"] = rng.choice(
                    [b["date_of_birth"][:3] + "9" + b["date_of_birth"][4:], "2012-05-04"]
                )
            else:
                b["last_name"] = rng.choice(SURNAMES)
        out.append((a, b))
    return out


def _level_of(field: Field, weight: float) -> Level:
    """The level whose log2(m/u) this is (m/u pairs are distinct within a field)."""
    found = [lv for lv, (m, u) in LEVELS[field].items() if math.isclose(math.log2(m / u), weight)]
    assert len(found) == 1, (field, weight, found)
    return found[0]


def _splink_levels(pairs: list[tuple[dict[str, str], dict[str, str]]]) -> list[dict[str, Any]]:
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    from cmetrack.matching.batch import arrow_table
    from cmetrack.matching.splink_settings import prepare_row
    from cmetrack.matching.splink_settings import settings as splink_settings

    def table(rows: list[dict[str, str]]) -> Any:
        prepared = [dict(prepare_row(r), unique_id=str(i)) for i, r in enumerate(rows)]
        return arrow_table({k: [p[k] for p in prepared] for k in prepared[0]})

    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    model = splink_settings()
    model.blocking_rules_to_generate_predictions = [block_on("unique_id")]
    model.retain_intermediate_calculation_columns = True
    linker = Linker(
        [
            db_api.register(table([a for a, _ in pairs]), dataset_display_name="left_file"),
            db_api.register(table([b for _, b in pairs]), dataset_display_name="right_file"),
        ],
        model,
        log_level=logging.WARNING,
    )
    result = linker.inference.predict()
    rows = con.execute(
        f"SELECT unique_id_l, mw_first_name, mw_surname, mw_dob, mw_household "  # noqa: S608
        f"FROM {result.physical_name}"  # nosec B608
    ).fetchall()
    out: list[dict[str, Any]] = [{} for _ in pairs]
    for uid, first, surname, dob, household in rows:
        out[int(uid)] = {
            Field.FORENAME: _level_of(Field.FORENAME, first) if first else Level.MISSING,
            Field.SURNAME: _level_of(Field.SURNAME, surname) if surname else Level.MISSING,
            Field.DATE_OF_BIRTH: _level_of(Field.DATE_OF_BIRTH, dob) if dob else Level.MISSING,
            Field.HOUSEHOLD: household == pytest.approx(TWIN_PENALTY),
        }
    con.close()
    return out


def _scorer_levels(a: dict[str, str], b: dict[str, str]) -> dict[Field, Any]:
    def record(r: dict[str, str]) -> PersonRecord:
        return PersonRecord(
            forenames=r["first_name"],
            surname=r["last_name"],
            date_of_birth=date.fromisoformat(r["date_of_birth"]),
            sex=r["sex"],
            postcode=r["postcode"],
        )

    comparisons = {c.field: c.level for c in score(record(a), record(b)).comparisons}
    return {
        Field.FORENAME: comparisons[Field.FORENAME],
        Field.SURNAME: comparisons[Field.SURNAME],
        Field.DATE_OF_BIRTH: comparisons[Field.DATE_OF_BIRTH],
        Field.HOUSEHOLD: Field.HOUSEHOLD in comparisons,
    }


@settings(deadline=None, max_examples=3)
@given(st.integers(min_value=0, max_value=10_000))
def test_the_batch_linker_and_the_scorer_give_the_same_levels(seed: int) -> None:
    pairs = _pairs(150, seed)
    splink = _splink_levels(pairs)
    for (a, b), batch_levels in zip(pairs, splink, strict=True):
        expected = _scorer_levels(a, b)
        assert batch_levels == expected, (a, b)


def test_swapped_names_with_a_typing_error_agree_in_both_engines() -> None:
    common = {"sex": "F", "postcode": "L39 5LQ", "upn": ""}
    a = {"id": "a", "first_name": "Imogen", "last_name": "Shaw", "date_of_birth": "2012-12-26"}
    b = {"id": "b", "first_name": "Sfaw", "last_name": "Imogen", "date_of_birth": "2012-12-27"}
    pairs = [(a | common, b | common)]
    (levels,) = _splink_levels(pairs)
    assert levels[Field.FORENAME] == Level.SWAPPED
    assert levels[Field.SURNAME] == Level.SWAPPED
    assert levels[Field.DATE_OF_BIRTH] == Level.ONE_DAY
    assert levels == _scorer_levels(*pairs[0])
