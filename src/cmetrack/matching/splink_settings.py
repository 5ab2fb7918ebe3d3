"""The batch linkage model, for Splink 5: one definition for the DuckDB and Spark backends.

Built from Splink's dialect-neutral creators (no backend SQL), with the m and u probabilities
of the online scorer (scoring.LEVELS) fixed rather than trained, so the batch linker and the
candidate panel agree and a run needs no training pass. The twins/siblings rule is a comparison
of its own ("household"), so Splink applies it on either backend; no post-processing.

The input columns are those made by `prepare_row` (see docs/matching.md, "Batch linkage").
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import cache
from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison
from splink.internals.dialects import SplinkDialect

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn

from .keys import transposed
from .names import default_equivalents, first_name, name_parts, normalise_name, phonetic
from .scoring import (
    JW_HIGH,
    JW_LOW,
    LEVELS,
    ONE_EDIT_MIN_LENGTH,
    TF_FLOOR,
    TWIN_PENALTY,
    Field,
    Level,
)

# A true match among all pairs of two files: at most one per record of the smaller file, so
# about one in the number of records of the larger (batch.link_files uses scoring.prior_for of
# it); this default is for 100,000.
PROBABILITY_TWO_RANDOM_RECORDS_MATCH = 1e-5

INPUT_COLUMNS = ["id", "first_name", "last_name", "date_of_birth", "sex", "postcode", "upn"]


def _mu(level: Any, field: Field, name: Level, **extra: Any) -> Any:
    m, u = LEVELS[field][name]
    return level.configure(m_probability=m, u_probability=u, **extra)


@cache
def _names(value: str) -> tuple[str, tuple[str, ...], bool, str]:
    normal = first_name(value)
    eq = default_equivalents()
    return normal, tuple(sorted(eq.related(normal))), normal in eq.given_names, phonetic(normal)


@cache
def _surname(value: str) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
    parts = name_parts(value)
    codes = tuple(sorted({phonetic(p) for p in parts} - {""}))
    return normalise_name(value), parts, phonetic(parts[0]) if parts else "", codes


@cache
def _postcode(value: str) -> tuple[str, str]:
    normal = normalise_postcode(value) or "".join(value.split()).upper()
    compact = normal.replace(" ", "")
    return normal, compact[:-3] if len(compact) > 3 else ""


def _next_day(value: date) -> date | None:
    try:
        return value + timedelta(days=1)
    except OverflowError:
        return None


def prepare_row(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row (`INPUT_COLUMNS`) as the model's columns; blanks become nulls."""
    fn, fn_related, fn_known, fn_code = _names(row.get("first_name") or "")
    sn, sn_parts, sn_code, sn_codes = _surname(row.get("last_name") or "")
    dob_text = (row.get("date_of_birth") or "").strip()
    dob: date | None
    try:
        dob = date.fromisoformat(dob_text) if dob_text else None
    except ValueError:
        dob = None
    dob_t = transposed(dob) if dob else None
    dob_next = _next_day(dob) if dob else None
    pc, outward = _postcode(row.get("postcode") or "")
    sex = (row.get("sex") or "").strip().upper()[:1]
    upn = normalise_upn(row.get("upn") or "")
    return {
        "unique_id": (row.get("id") or "").strip(),
        "first_name": fn or None,
        "name_related": list(fn_related) or None,
        "first_name_known": fn_known,
        "first_name_code": fn_code or None,
        "surname": sn or None,
        "surname_parts": list(sn_parts) or None,
        # First and last part, for the swapped-names level (a first name that is one part of a
        # double surname).
        "surname_first": sn_parts[0] if sn_parts else None,
        "surname_last": sn_parts[-1] if sn_parts else None,
        "surname_code": sn_code or None,
        "surname_codes": list(sn_codes) or None,
        "dob": dob.isoformat() if dob else None,
        "dob_t": dob_t.isoformat() if dob_t else None,
        "dob_next": dob_next.isoformat() if dob_next else None,
        "birth_year": dob.year if dob else None,
        "postcode": pc or None,
        "outward": outward or None,
        "sex": sex if sex in ("F", "M") else None,
        "upn": upn or None,
    }


# Two different names that are both first names in their own right (Ella, Bella) are never a
# typing error of each other (names.NameEquivalents.distinct_names; equivalents are tested first).
_NOT_TWO_GIVEN_NAMES = "NOT (first_name_known_l AND first_name_known_r)"


# One letter wrong, missing, extra or two swapped, in names of ONE_EDIT_MIN_LENGTH or more.
_LONG_ENOUGH = (
    f"length(first_name_l) >= {ONE_EDIT_MIN_LENGTH} "
    f"AND length(first_name_r) >= {ONE_EDIT_MIN_LENGTH}"
)


def _both_known_and_alike() -> Any:
    """Two different names in their own right that look alike (Ella, Bella): the scorer calls
    them different, never a typing error, a near spelling or a sound-alike."""
    return cll.And(
        cll.CustomLevel("first_name_known_l AND first_name_known_r"),
        cll.Or(
            cll.JaroWinklerLevel("first_name", JW_LOW),
            cll.And(cll.DamerauLevenshteinLevel("first_name", 1), cll.CustomLevel(_LONG_ENOUGH)),
        ),
    )


def _first_name_jw(threshold: float) -> Any:
    return cll.And(
        cll.JaroWinklerLevel("first_name", threshold), cll.CustomLevel(_NOT_TWO_GIVEN_NAMES)
    )


def _first_name_typo() -> Any:
    """The scorer's 'probably a typing error': Jaro-Winkler >= JW_HIGH or one edit apart."""
    return cll.And(
        cll.Or(
            cll.JaroWinklerLevel("first_name", JW_HIGH),
            cll.And(cll.DamerauLevenshteinLevel("first_name", 1), cll.CustomLevel(_LONG_ENOUGH)),
        ),
        cll.CustomLevel(_NOT_TWO_GIVEN_NAMES),
    )


def _first_name_sounds_alike() -> Any:
    """Same NYSIIS code, unless both are names in their own right that look alike."""
    return cll.And(cll.ExactMatchLevel("first_name_code"), cll.Not(_both_known_and_alike()))


class NamesSwappedLevel(ComparisonLevelCreator):
    """The scorer's `name_comparison.names_swapped`: each record's first name is the other's
    surname, or its first or last part, or a typing error of it (Jaro-Winkler >= JW_HIGH, or
    one edit in names of ONE_EDIT_MIN_LENGTH+ letters), and the two names are not simply the
    same. Written with the dialect's own Jaro-Winkler and Damerau-Levenshtein functions, so it
    runs on DuckDB and Spark alike."""

    def create_sql(self, sql_dialect: SplinkDialect) -> str:
        jw = sql_dialect.jaro_winkler_function_name
        dl = sql_dialect.damerau_levenshtein_function_name
        n = ONE_EDIT_MIN_LENGTH

        def alike(first: str, side: str) -> str:
            tests = [
                f"{jw}({first}, {col}_{side}) >= {JW_HIGH}"
                f" OR ({dl}({first}, {col}_{side}) <= 1"
                f" AND length({first}) >= {n} AND length({col}_{side}) >= {n})"
                for col in ("surname", "surname_first", "surname_last")
            ]
            return "(" + " OR ".join(tests) + ")"

        return (
            f"{alike('first_name_l', 'r')} AND {alike('first_name_r', 'l')}"
            " AND NOT (first_name_l = first_name_r AND surname_l = surname_r)"
        )

    def create_label_for_charts(self) -> str:
        return "First name and surname swapped"


def _swapped() -> Any:
    """Names swapped, the surnames not the same (the scorer keeps an exact surname)."""
    return cll.And(NamesSwappedLevel(), cll.Not(cll.ExactMatchLevel("surname")))


def _first_name_weak() -> Any:
    """The first names are no better than 'somewhat similar': the scorer looks for a swap only
    then (a first name that agrees, is a known form or a typing error is not swapped)."""
    return cll.Not(
        cll.Or(
            cll.ExactMatchLevel("first_name"),
            cll.ArrayIntersectLevel("name_related", 1),
            _first_name_typo(),
        )
    )


def _comparisons() -> list[Any]:
    F, S, D = Field.FORENAME, Field.SURNAME, Field.DATE_OF_BIRTH
    # The levels in the scorer's order (name_comparison._forename_pair, compare_names): a
    # swap is looked for only when the first names are no better than somewhat similar.
    first = CustomComparison(
        output_column_name="first_name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            # Term-frequency adjusted, as the scorer's exact first name (TermFrequencies).
            _mu(
                cll.ExactMatchLevel("first_name"),
                F,
                Level.EXACT,
                tf_adjustment_column="first_name",
                tf_minimum_u_value=TF_FLOOR,
            ),
            _mu(cll.ArrayIntersectLevel("name_related", 1), F, Level.EQUIVALENT),
            _mu(_first_name_typo(), F, Level.JW_HIGH),
            _mu(_swapped(), F, Level.SWAPPED),
            _mu(_first_name_jw(JW_LOW), F, Level.JW_LOW),
            _mu(_first_name_sounds_alike(), F, Level.PHONETIC),
            _mu(cll.ElseLevel(), F, Level.DIFFERENT),
        ],
    )
    surname = CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            _mu(
                cll.ExactMatchLevel("surname"),
                S,
                Level.EXACT,
                tf_adjustment_column="surname",
                tf_minimum_u_value=TF_FLOOR,
            ),
            _mu(cll.And(_swapped(), _first_name_weak()), S, Level.SWAPPED),
            _mu(cll.ArrayIntersectLevel("surname_parts", 1), S, Level.PART),
            _mu(cll.JaroWinklerLevel("surname", JW_HIGH), S, Level.JW_HIGH),
            _mu(cll.JaroWinklerLevel("surname", JW_LOW), S, Level.JW_LOW),
            _mu(cll.ArrayIntersectLevel("surname_codes", 1), S, Level.PHONETIC),
            _mu(cll.ElseLevel(), S, Level.DIFFERENT),
        ],
    )
    # As field_comparison.compare_dates_of_birth: ISO strings of equal length, so Levenshtein
    # distance 1 is exactly one digit different.
    dob = CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            _mu(cll.ExactMatchLevel("dob"), D, Level.EXACT),
            _mu(cll.CustomLevel("dob_l = dob_t_r"), D, Level.TRANSPOSED),
            _mu(cll.CustomLevel("(dob_l = dob_next_r OR dob_next_l = dob_r)"), D, Level.ONE_DAY),
            _mu(cll.LevenshteinLevel("dob", 1), D, Level.ONE_DIGIT),
            _mu(
                cll.CustomLevel(
                    "substr(dob_l, 6, 5) = substr(dob_r, 6, 5)"
                    " AND abs(birth_year_l - birth_year_r) = 1"
                ),
                D,
                Level.YEAR_NEAR,
            ),
            _mu(cll.ElseLevel(), D, Level.DIFFERENT),
        ],
    )
    upn = CustomComparison(
        output_column_name="upn",
        comparison_levels=[
            cll.NullLevel("upn"),
            _mu(cll.ExactMatchLevel("upn"), Field.UPN, Level.EXACT),
            _mu(cll.DamerauLevenshteinLevel("upn", 1), Field.UPN, Level.NEAR),
            _mu(cll.ElseLevel(), Field.UPN, Level.DIFFERENT),
        ],
    )
    postcode = CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            _mu(cll.ExactMatchLevel("postcode"), Field.POSTCODE, Level.EXACT),
            _mu(cll.ExactMatchLevel("outward"), Field.POSTCODE, Level.OUTWARD),
            _mu(cll.ElseLevel(), Field.POSTCODE, Level.DIFFERENT),
        ],
    )
    sex = CustomComparison(
        output_column_name="sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            _mu(cll.ExactMatchLevel("sex"), Field.SEX, Level.AGREE),
            _mu(cll.ElseLevel(), Field.SEX, Level.DIFFERENT),
        ],
    )
    # Twins and siblings (scoring._household_rule): the surname agrees (exactly, on one part or
    # within JW_HIGH) and the birth date or the postcode is the same, but the first name is
    # clearly different: not equal, not a known form, not a typing error, not swapped.
    twin_m = 2.0**TWIN_PENALTY
    household = CustomComparison(
        output_column_name="household",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.And(
                cll.Or(
                    cll.ExactMatchLevel("surname"),
                    cll.ArrayIntersectLevel("surname_parts", 1),
                    cll.JaroWinklerLevel("surname", JW_HIGH),
                ),
                cll.Or(cll.ExactMatchLevel("dob"), cll.ExactMatchLevel("postcode")),
                cll.CustomLevel("first_name_l IS NOT NULL AND first_name_r IS NOT NULL"),
                _first_name_weak(),
                # A twin called Lewis Lewis is not Oscar Lewis with his names swapped.
                cll.Not(_swapped()),
            ).configure(
                m_probability=twin_m,
                u_probability=1.0,
                label_for_charts="Probably a twin or sibling",
            ),
            cll.ElseLevel().configure(m_probability=1.0, u_probability=1.0),
        ],
    )
    return [first, surname, dob, upn, postcode, sex, household]


# A pair with the same, transposed or next-day birth date is compared only if it also shares a
# first letter of a name (either way round: swapped names) or an outward code: cheap to test in
# the join, and at 200,000 x 2,000,000 it keeps the birth-date blocks from making ~90 million
# pairs.
_LOOSELY_ALIKE = (
    "(substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)"
    " OR substr(l.surname, 1, 1) = substr(r.surname, 1, 1)"
    " OR substr(l.first_name, 1, 1) = substr(r.surname, 1, 1)"
    " OR l.outward = r.outward)"
)

_INITIALS_OR_AREA = (
    "((substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)"
    " AND substr(l.surname, 1, 1) = substr(r.surname, 1, 1))"
    " OR l.outward = r.outward)"
)


def blocking_rules() -> list[Any]:
    """The online search's keys (keys.py), narrowed to scale. Each pair is scored once however
    many rules find it. Pair counts per rule: `bench_link.py --rules` (docs/matching.md,
    "Recall"). Not surname sound + birth year on its own: on the 20,000 x 200,000 benchmark it
    made most of the pairs and 13 of the 20 seconds, and found 1 true pair of 12,115 that no
    other rule found."""
    return [
        block_on("upn"),
        f"l.dob = r.dob AND {_LOOSELY_ALIKE}",
        f"l.dob = r.dob_t AND {_LOOSELY_ALIKE}",
        # A birth date one day out, either way (two rules, so each is an equality join), with
        # both initials or the outward code in common: looser, these two made 340,000 pairs at
        # 20,000 x 210,000 for 616 true pairs.
        f"l.dob = r.dob_next AND {_INITIALS_OR_AREA}",
        f"l.dob_next = r.dob AND {_INITIALS_OR_AREA}",
        # Same postcode in any birth year (a mistyped year at the same address, as the online
        # search asks for its postcodes under every school-age year), with an initial or the
        # birth year in common.
        "l.postcode = r.postcode AND (substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)"
        " OR substr(l.surname, 1, 1) = substr(r.surname, 1, 1)"
        " OR l.birth_year = r.birth_year)",
        # Both names sound alike: catches a year typo (same day and month) or a day/month typo
        # (same year) together with a move of house and a typing error in a name.
        "l.first_name_code = r.first_name_code AND l.surname_code = r.surname_code"
        " AND (l.birth_year = r.birth_year OR substr(l.dob, 6, 5) = substr(r.dob, 6, 5))",
        # Names swapped: one half sounds like the other record's other half, the other half
        # starts with the same letter (so a typing error in it is still found), same birth year.
        "l.first_name_code = r.surname_code AND l.birth_year = r.birth_year"
        " AND substr(l.surname, 1, 1) = substr(r.first_name, 1, 1)",
        "l.surname_code = r.first_name_code AND l.birth_year = r.birth_year"
        " AND substr(l.first_name, 1, 1) = substr(r.surname, 1, 1)",
    ]


def settings(prior: float = PROBABILITY_TWO_RANDOM_RECORDS_MATCH) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def prior_weight(prior: float = PROBABILITY_TWO_RANDOM_RECORDS_MATCH) -> float:
    return math.log2(prior / (1 - prior))
