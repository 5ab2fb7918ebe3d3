"""Comparison levels and their m and u probabilities: the numbers of the matching model.

m is how often a level is seen when two records ARE the same child, u how often when they are
NOT; the level's weight is log2(m / u) (`level_weight`). How the weights and the prior add up to
a match probability is in `scoring`. The m and u values are set from the synthetic benchmark and
common sense (docs/matching.md), not estimated per authority, and kept here so they are tuned in
one place: the online scorer and the batch linker's Splink model (`splink_settings`) read them.
"""

from __future__ import annotations

import math
from enum import StrEnum


class Field(StrEnum):
    FORENAME = "forename"
    SURNAME = "surname"
    DATE_OF_BIRTH = "date_of_birth"
    UPN = "upn"
    POSTCODE = "postcode"
    SEX = "sex"
    HOUSEHOLD = "household"


FIELD_LABELS = {
    Field.FORENAME: "First name",
    Field.SURNAME: "Surname",
    Field.DATE_OF_BIRTH: "Date of birth",
    Field.UPN: "UPN",
    Field.POSTCODE: "Postcode",
    Field.SEX: "Sex",
    Field.HOUSEHOLD: "Twin or sibling check",
}


class Level(StrEnum):
    MISSING = "missing"
    EXACT = "exact"
    EQUIVALENT = "equivalent"  # nickname or transliteration
    MIDDLE_NAME = "middle_name"
    PART = "part"  # one part of a double or hyphenated surname
    JW_HIGH = "jw_high"  # Jaro-Winkler >= 0.92
    JW_LOW = "jw_low"  # Jaro-Winkler >= 0.80
    PHONETIC = "phonetic"
    SWAPPED = "swapped"
    TRANSPOSED = "transposed"  # day and month swapped
    ONE_DAY = "one_day"  # dates of birth one day apart
    ONE_DIGIT = "one_digit"
    YEAR_NEAR = "year_near"
    FORMER = "former"  # matches a former UPN
    NEAR = "near"  # one character off
    PREVIOUS = "previous"  # matches a previous address
    OUTWARD = "outward"  # same outward code (L20), different inward
    AGREE = "agree"
    DIFFERENT = "different"


JW_HIGH = 0.92
JW_LOW = 0.80
# First names at least this long that differ by one letter (a letter wrong, missing, extra, or
# two letters swapped) count as a typing error even when Jaro-Winkler is below JW_HIGH
# ('Haray' for 'Harry'), unless both are names in their own right (data/given_names.csv).
ONE_EDIT_MIN_LENGTH = 4

# (m, u) per field and level.
LEVELS: dict[Field, dict[Level, tuple[float, float]]] = {
    Field.FORENAME: {
        Level.EXACT: (0.80, 0.004),
        Level.EQUIVALENT: (0.07, 0.001),
        Level.MIDDLE_NAME: (0.03, 0.001),
        Level.JW_HIGH: (0.04, 0.003),
        Level.JW_LOW: (0.015, 0.01),
        Level.PHONETIC: (0.01, 0.006),
        Level.SWAPPED: (0.01, 0.00015),
        Level.DIFFERENT: (0.02, 0.975),
    },
    Field.SURNAME: {
        Level.EXACT: (0.82, 0.002),
        Level.PART: (0.05, 0.0008),
        Level.JW_HIGH: (0.04, 0.002),
        Level.JW_LOW: (0.015, 0.01),
        Level.PHONETIC: (0.01, 0.004),
        Level.SWAPPED: (0.01, 0.00015),
        Level.DIFFERENT: (0.05, 0.98),
    },
    Field.DATE_OF_BIRTH: {
        Level.EXACT: (0.88, 0.00025),
        Level.TRANSPOSED: (0.01, 0.000625),
        # u: 2 of the ~4,400 dates of a school-age span (the day before and the day after).
        # m: a day keyed one off, a birth around midnight. 3%: below the benchmark generator's
        # 5% (it over-represents the hard kinds on purpose), as ONE_DIGIT is below its 10%.
        # Tested before ONE_DIGIT (2015-05-03 and 2015-05-04 are both).
        Level.ONE_DAY: (0.03, 0.00045),
        # u: about 25 of the ~4,400 dates of a school-age span are one digit from a given date.
        Level.ONE_DIGIT: (0.04, 0.006),
        Level.YEAR_NEAR: (0.01, 0.002),
        Level.DIFFERENT: (0.03, 0.995),
    },
    Field.UPN: {
        Level.EXACT: (0.97, 0.00001),
        Level.FORMER: (0.97, 0.00001),
        Level.NEAR: (0.01, 0.0001),
        # Schools mistype UPNs and issue temporary ones: a mismatch is evidence, not a veto.
        Level.DIFFERENT: (0.02, 0.99999),
    },
    Field.POSTCODE: {
        Level.EXACT: (0.60, 0.002),
        Level.PREVIOUS: (0.15, 0.002),
        Level.OUTWARD: (0.10, 0.03),
        # Children missing education move house often: a different postcode counts only a little.
        Level.DIFFERENT: (0.15, 0.968),
    },
    Field.SEX: {
        Level.AGREE: (0.97, 0.5),
        Level.DIFFERENT: (0.03, 0.5),
    },
}

# How likely two records are the same child before comparing them (lambda). The u values above
# are for two records taken at random, so the prior is too: about one in the number of children
# a search looks across (200,000: a large authority's children over the school-age years).
# At 1 in 10,000 the benchmark's online F1 was 0.976: same name and a birth date one digit off
# matched strangers (docs/benchmarks.md, "Matching").
# A search of a known number of records uses prior_for(that number) instead.
PRIOR_PROBABILITY = 5e-6
PRIOR_WEIGHT = math.log2(PRIOR_PROBABILITY / (1 - PRIOR_PROBABILITY))
# prior_for stays within these: a tiny table (tests, a new authority) is not evidence of a match.
PRIOR_RANGE = (1e-7, 1e-4)
# Same surname and same date of birth or address, clearly different first name. A matching UPN
# (+16.6) with everything else agreeing still outweighs it.
TWIN_PENALTY = -20.0
# Term frequencies below this are treated as this (a name seen once is not infinitely telling).
TF_FLOOR = 0.0002


def prior_for(population: int) -> float:
    """The prior for a search among `population` records: one in that many, within PRIOR_RANGE."""
    low, high = PRIOR_RANGE
    return min(high, max(low, 1.0 / max(population, 1)))


def level_weight(field_: Field, level: Level) -> float:
    if level == Level.MISSING:
        return 0.0
    m, u = LEVELS[field_][level]
    return math.log2(m / u)


def probability_from_weight(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)
