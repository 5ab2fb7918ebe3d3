"""Is this the same child? Fellegi-Sunter match weights with an explanation a caseworker reads.

Pure functions, no ORM. Each field is compared at one of a few *levels* (exact, a known
nickname, a typing error, ..., different). Each level has two probabilities: m, how often the
level is seen when the two records ARE the same child, and u, how often it is seen when they are
NOT. The level's weight is log2(m / u): positive weights are evidence for a match, negative
against. The weights of all fields and a prior (how rare a true match is among candidates) add
up to a total weight, and the match probability is 2^w / (1 + 2^w).

Two rules go beyond plain Fellegi-Sunter, both visible in the explanation:
- term frequency: an exact first name or surname weighs log2(m / f), f being how common the name
  is in the data searched (given by a TermFrequencies), so "Smith" counts for less than "Oyelaran";
- the twins/siblings rule: the same surname with the same date of birth or address but a clearly
  different first name (not a nickname or a typing error) is what twins and siblings look like,
  and counts strongly against a match (TWIN_PENALTY).

A missing value on either side is "not known": it has no effect (weight 0), never an error.
The m and u values are set from the synthetic benchmark and common sense (docs/matching.md),
not estimated per authority; they live in `weights.LEVELS` so they can be tuned in one place.

This module is the scorer and the place to import matching's model from; the parts live in
`weights` (levels, m/u, prior), `records` (PersonRecord, TermFrequencies), `explanation`
(Comparison, MatchExplanation), `name_comparison` and `field_comparison`.
"""

from __future__ import annotations

import math

from .explanation import Comparison, MatchExplanation
from .field_comparison import (
    compare_dates_of_birth,
    compare_postcodes,
    compare_sex,
    compare_upns,
)
from .name_comparison import compare_names
from .names import NameEquivalents, default_equivalents
from .records import PersonRecord, TermFrequencies
from .weights import (
    FIELD_LABELS,
    JW_HIGH,
    JW_LOW,
    LEVELS,
    ONE_EDIT_MIN_LENGTH,
    PRIOR_PROBABILITY,
    PRIOR_RANGE,
    PRIOR_WEIGHT,
    TF_FLOOR,
    TWIN_PENALTY,
    Field,
    Level,
    level_weight,
    prior_for,
    probability_from_weight,
)

__all__ = [
    "FIELD_LABELS",
    "JW_HIGH",
    "JW_LOW",
    "LEVELS",
    "ONE_EDIT_MIN_LENGTH",
    "PRIOR_PROBABILITY",
    "PRIOR_RANGE",
    "PRIOR_WEIGHT",
    "TF_FLOOR",
    "TWIN_PENALTY",
    "Comparison",
    "Field",
    "Level",
    "MatchExplanation",
    "PersonRecord",
    "TermFrequencies",
    "compare_dates_of_birth",
    "compare_names",
    "compare_postcodes",
    "compare_sex",
    "compare_upns",
    "level_weight",
    "prior_for",
    "probability_from_weight",
    "score",
]


_TWIN_FORENAME_LEVELS = {Level.DIFFERENT, Level.JW_LOW, Level.PHONETIC}
_SURNAME_AGREES = {Level.EXACT, Level.PART, Level.JW_HIGH}


def _household_rule(
    fore: Comparison, sur: Comparison, dob: Comparison, postcode: Comparison
) -> Comparison | None:
    """Twins share a surname, a birth date and an address; siblings a surname and an address.
    A clearly different first name in that company means a different child."""
    if fore.level not in _TWIN_FORENAME_LEVELS or sur.level not in _SURNAME_AGREES:
        return None
    same_dob = dob.level == Level.EXACT
    same_address = postcode.level in (Level.EXACT, Level.PREVIOUS)
    if not (same_dob or same_address):
        return None
    shared = {
        (True, True): "surname, date of birth and address",
        (True, False): "surname and date of birth",
        (False, True): "surname and address",
    }[(same_dob, same_address)]
    who = "a twin" if same_dob else "a brother or sister"
    return Comparison(
        Field.HOUSEHOLD,
        Level.DIFFERENT,
        TWIN_PENALTY,
        f"same {shared} but a different first name: probably {who}, not the same child",
    )


def score(
    a: PersonRecord,
    b: PersonRecord,
    *,
    term_frequencies: TermFrequencies | None = None,
    equivalents: NameEquivalents | None = None,
    prior: float | None = None,
) -> MatchExplanation:
    """Compare two records; symmetric in a and b, and never raises on missing values. `prior`
    (default PRIOR_PROBABILITY) is how likely a match is before comparing (see prior_for)."""
    eq = equivalents if equivalents is not None else default_equivalents()
    fore, sur = compare_names(a, b, eq=eq, tf=term_frequencies)
    dob = compare_dates_of_birth(a.date_of_birth, b.date_of_birth)
    upn = compare_upns(a, b)
    postcode = compare_postcodes(a, b)
    sex = compare_sex(a.sex, b.sex)
    comparisons = [fore, sur, dob, upn, postcode, sex]
    household = _household_rule(fore, sur, dob, postcode)
    if household is not None:
        comparisons.append(household)
    prior_weight = PRIOR_WEIGHT if prior is None else math.log2(prior / (1 - prior))
    total = prior_weight + sum(c.weight for c in comparisons)
    return MatchExplanation(
        total_weight=total,
        probability=probability_from_weight(total),
        comparisons=tuple(comparisons),
        prior_weight=prior_weight,
    )
