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
not estimated per authority; they live in LEVELS so they can be tuned in one place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn

from .names import (
    EquivalenceKind,
    NameEquivalents,
    default_equivalents,
    first_name,
    name_parts,
    normalise_name,
    phonetic,
)


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
        Level.EXACT: (0.90, 0.00025),
        Level.TRANSPOSED: (0.01, 0.000625),
        # u: about 25 of the ~4,400 dates of a school-age span are one digit from a given date.
        Level.ONE_DIGIT: (0.04, 0.006),
        Level.YEAR_NEAR: (0.01, 0.002),
        Level.DIFFERENT: (0.04, 0.995),
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


@dataclass(frozen=True)
class PersonRecord:
    """What matching knows of one child (or one row of a file). Every field may be blank."""

    forenames: str = ""
    surname: str = ""
    date_of_birth: date | None = None
    sex: str = ""  # "F", "M"; anything else is "not known"
    upn: str = ""
    former_upns: tuple[str, ...] = ()
    postcode: str = ""  # current address
    previous_postcodes: tuple[str, ...] = ()
    other_names: tuple[tuple[str, str], ...] = ()  # (forenames, surname): aliases, spellings


@dataclass(frozen=True)
class TermFrequencies:
    """How common each normalised first name and surname is, as a share of the records (0 to 1)."""

    forenames: Mapping[str, float] = field(default_factory=dict)
    surnames: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Iterable[PersonRecord]) -> TermFrequencies:
        fn: dict[str, int] = {}
        sn: dict[str, int] = {}
        total = 0
        for record in records:
            total += 1
            if f := first_name(record.forenames):
                fn[f] = fn.get(f, 0) + 1
            if s := normalise_name(record.surname):
                sn[s] = sn.get(s, 0) + 1
        if not total:
            return cls()
        return cls({k: v / total for k, v in fn.items()}, {k: v / total for k, v in sn.items()})


@dataclass(frozen=True)
class Comparison:
    field: Field
    level: Level
    weight: float
    text: str

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]

    @property
    def sentence(self) -> str:
        """'First name: 'Millie' is a known short form of 'Amelia' (+6.1)'."""
        return f"{self.label}: {self.text} ({self.weight:+.1f})"


@dataclass(frozen=True)
class MatchExplanation:
    total_weight: float
    probability: float
    comparisons: tuple[Comparison, ...]
    prior_weight: float = PRIOR_WEIGHT

    @property
    def lines(self) -> list[str]:
        return [c.sentence for c in self.comparisons]

    @property
    def is_twin_trap(self) -> bool:
        return any(c.field == Field.HOUSEHOLD for c in self.comparisons)

    def comparison(self, field_: Field) -> Comparison:
        return next(c for c in self.comparisons if c.field == field_)

    @property
    def percent(self) -> str:
        """For display: '99.9%', never '100%' (it is a probability, not a certainty)."""
        value = math.floor(self.probability * 1000) / 10
        return f"{value:.1f}%"


def probability_from_weight(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


def _jw(a: str, b: str) -> float:
    # Sorted, so the comparison is symmetric whatever the library does.
    x, y = sorted((a, b))
    return float(JaroWinkler.similarity(x, y))


def _q(value: str) -> str:
    return f"'{value.strip()}'"


def _tf_weight(field_: Field, key: str, table: Mapping[str, float] | None) -> tuple[float, str]:
    m, u = LEVELS[field_][Level.EXACT]
    if not table or key not in table:
        return math.log2(m / u), ""
    freq = min(max(table[key], TF_FLOOR), m / 2)
    weight = math.log2(m / freq)
    if freq > u * 2:
        return weight, "; a common name, so it counts for less"
    if freq < u / 2:
        return weight, "; a rare name, so it counts for more"
    return weight, ""


# --- first name -------------------------------------------------------------------------------


def _forename_pair(
    x: str, y: str, eq: NameEquivalents, tf: TermFrequencies | None
) -> tuple[Level, float, str]:
    fx, fy = first_name(x), first_name(y)
    if not fx or not fy:
        return Level.MISSING, 0.0, "not known on both records, no effect"
    if fx == fy:
        weight, note = _tf_weight(Field.FORENAME, fx, tf.forenames if tf else None)
        same = _q(x) if normalise_name(x) == normalise_name(y) else _q(fx.title())
        return Level.EXACT, weight, f"{same} is the same{note}"
    found = eq.equivalence(fx, fy)
    if found is not None:
        w = level_weight(Field.FORENAME, Level.EQUIVALENT)
        via = found.via
        if found.kind == EquivalenceKind.SPELLING:
            if via in (fx, fy):
                other = fy if via == fx else fx
                text = f"{_q(other.title())} is another spelling of {_q(via.title())}"
            else:
                text = (
                    f"{_q(fx.title())} and {_q(fy.title())} are both spellings of {_q(via.title())}"
                )
        elif via in (fx, fy):
            other = fy if via == fx else fx
            text = f"{_q(other.title())} is a known short form of {_q(via.title())}"
        else:
            text = (
                f"{_q(fx.title())} and {_q(fy.title())} are both short forms of {_q(via.title())}"
            )
        return Level.EQUIVALENT, w, text
    px, py = name_parts(x), name_parts(y)
    if fx in py or fy in px:
        shared = fx if fx in py else fy
        return (
            Level.MIDDLE_NAME,
            level_weight(Field.FORENAME, Level.MIDDLE_NAME),
            f"{_q(shared.title())} is a middle name on the other record",
        )
    similarity = _jw(fx, fy)
    pair = f"{_q(fx.title())} and {_q(fy.title())}"
    one_edit = min(len(fx), len(fy)) >= ONE_EDIT_MIN_LENGTH and OSA.distance(fx, fy) <= 1
    if (similarity >= JW_LOW or one_edit) and eq.distinct_names(fx, fy):
        return (
            Level.DIFFERENT,
            level_weight(Field.FORENAME, Level.DIFFERENT),
            f"{pair} are different (alike in spelling, but each is a first name in its own right)",
        )
    if similarity >= JW_HIGH:
        return (
            Level.JW_HIGH,
            level_weight(Field.FORENAME, Level.JW_HIGH),
            f"{pair} are very similar (probably a typing error)",
        )
    if one_edit:
        return (
            Level.JW_HIGH,
            level_weight(Field.FORENAME, Level.JW_HIGH),
            f"{pair} differ by one letter (probably a typing error)",
        )
    if similarity >= JW_LOW:
        return (
            Level.JW_LOW,
            level_weight(Field.FORENAME, Level.JW_LOW),
            f"{pair} are somewhat similar",
        )
    if phonetic(fx) == phonetic(fy):
        return Level.PHONETIC, level_weight(Field.FORENAME, Level.PHONETIC), f"{pair} sound alike"
    return Level.DIFFERENT, level_weight(Field.FORENAME, Level.DIFFERENT), f"{pair} are different"


# --- surname ----------------------------------------------------------------------------------


def _surname_pair(x: str, y: str, tf: TermFrequencies | None) -> tuple[Level, float, str]:
    nx, ny = normalise_name(x), normalise_name(y)
    if not nx or not ny:
        return Level.MISSING, 0.0, "not known on both records, no effect"
    if nx == ny:
        weight, note = _tf_weight(Field.SURNAME, nx, tf.surnames if tf else None)
        return Level.EXACT, weight, f"{_q(x)} is the same{note}"
    px, py = set(name_parts(x)), set(name_parts(y))
    shared = sorted(px & py)
    if shared and (len(px) > 1 or len(py) > 1):
        double = x if len(px) > 1 else y
        return (
            Level.PART,
            level_weight(Field.SURNAME, Level.PART),
            f"{_q(shared[0].title())} is part of the double surname {_q(double)}",
        )
    similarity = max(
        [_jw(nx, ny)] + [_jw(a, b) for a in px for b in py if len(px) > 1 or len(py) > 1]
    )
    pair = f"{_q(x)} and {_q(y)}"
    if similarity >= JW_HIGH:
        return (
            Level.JW_HIGH,
            level_weight(Field.SURNAME, Level.JW_HIGH),
            f"{pair} are very similar (probably a typing error)",
        )
    if similarity >= JW_LOW:
        return (
            Level.JW_LOW,
            level_weight(Field.SURNAME, Level.JW_LOW),
            f"{pair} are somewhat similar",
        )
    if {phonetic(p) for p in px} & {phonetic(p) for p in py}:
        return Level.PHONETIC, level_weight(Field.SURNAME, Level.PHONETIC), f"{pair} sound alike"
    return Level.DIFFERENT, level_weight(Field.SURNAME, Level.DIFFERENT), f"{pair} are different"


def _names(record: PersonRecord) -> list[tuple[str, str]]:
    names = [(record.forenames or "", record.surname or "")]
    names += [(f or "", s or "") for f, s in record.other_names]
    return names


def _best(options: Iterable[tuple[Level, float, str]]) -> tuple[Level, float, str]:
    """The most favourable comparison among all the names each record is known by; 'not known'
    only if nothing could be compared."""
    known = [o for o in options if o[0] != Level.MISSING]
    if not known:
        return Level.MISSING, 0.0, "not known on both records, no effect"
    return max(known, key=lambda o: o[1])


def _swapped(a: PersonRecord, b: PersonRecord) -> bool:
    """One record's first name is the other's surname (or a part of a double surname), and the
    other way round."""
    fa, fb = first_name(a.forenames), first_name(b.forenames)
    sa, sb = normalise_name(a.surname), normalise_name(b.surname)
    if not (fa and fb and sa and sb) or (fa == fb and sa == sb):
        return False

    def alike(first: str, surname: str) -> bool:
        options = {surname, *name_parts(surname)}
        return any(_jw(first, s) >= JW_HIGH for s in options)

    return alike(fa, sb) and alike(fb, sa)


def compare_names(
    a: PersonRecord, b: PersonRecord, *, eq: NameEquivalents, tf: TermFrequencies | None
) -> tuple[Comparison, Comparison]:
    na, nb = _names(a), _names(b)
    fore = _best(_forename_pair(x[0], y[0], eq, tf) for x in na for y in nb)
    sur = _best(_surname_pair(x[1], y[1], tf) for x in na for y in nb)
    if fore[0] in (Level.DIFFERENT, Level.JW_LOW, Level.PHONETIC) and _swapped(a, b):
        text = (
            f"first name and surname appear swapped ({_q(a.forenames + ' ' + a.surname)} "
            f"and {_q(b.forenames + ' ' + b.surname)})"
        )
        fore = (Level.SWAPPED, level_weight(Field.FORENAME, Level.SWAPPED), text)
        sur = (Level.SWAPPED, level_weight(Field.SURNAME, Level.SWAPPED), text)
    return (
        Comparison(Field.FORENAME, fore[0], fore[1], fore[2]),
        Comparison(Field.SURNAME, sur[0], sur[1], sur[2]),
    )


# --- date of birth ----------------------------------------------------------------------------


def compare_dates_of_birth(a: date | None, b: date | None) -> Comparison:
    f = Field.DATE_OF_BIRTH
    if a is None or b is None:
        return Comparison(f, Level.MISSING, 0.0, "not known on both records, no effect")
    if a == b:
        return Comparison(f, Level.EXACT, level_weight(f, Level.EXACT), f"{a:%d/%m/%Y} is the same")
    pair = f"{a:%d/%m/%Y} and {b:%d/%m/%Y}"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return Comparison(
            f,
            Level.TRANSPOSED,
            level_weight(f, Level.TRANSPOSED),
            f"day and month swapped ({pair})",
        )
    sa, sb = f"{a:%Y%m%d}", f"{b:%Y%m%d}"
    if sum(x != y for x, y in zip(sa, sb, strict=True)) == 1:
        return Comparison(
            f, Level.ONE_DIGIT, level_weight(f, Level.ONE_DIGIT), f"one digit different ({pair})"
        )
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return Comparison(
            f,
            Level.YEAR_NEAR,
            level_weight(f, Level.YEAR_NEAR),
            f"same day and month, year one apart ({pair})",
        )
    return Comparison(f, Level.DIFFERENT, level_weight(f, Level.DIFFERENT), f"{pair} are different")


# --- UPN --------------------------------------------------------------------------------------


def _upns(record: PersonRecord) -> tuple[str, set[str]]:
    current = normalise_upn(record.upn or "")
    every = {normalise_upn(u) for u in (record.upn, *record.former_upns) if u}
    return current, {u for u in every if u}


def compare_upns(a: PersonRecord, b: PersonRecord) -> Comparison:
    f = Field.UPN
    ca, all_a = _upns(a)
    cb, all_b = _upns(b)
    if not all_a or not all_b:
        return Comparison(f, Level.MISSING, 0.0, "not known on both records, no effect")
    if ca and ca == cb:
        return Comparison(f, Level.EXACT, level_weight(f, Level.EXACT), f"{ca} is the same")
    shared = sorted(all_a & all_b)
    if shared:
        return Comparison(
            f, Level.FORMER, level_weight(f, Level.FORMER), f"{shared[0]} matches a former UPN"
        )
    if any(Levenshtein.distance(x, y) <= 1 for x in all_a for y in all_b) or any(
        _adjacent_swap(x, y) for x in all_a for y in all_b
    ):
        return Comparison(
            f,
            Level.NEAR,
            level_weight(f, Level.NEAR),
            f"{ca or min(all_a)} and {cb or min(all_b)} differ by one character "
            "(probably a typing error)",
        )
    return Comparison(
        f,
        Level.DIFFERENT,
        level_weight(f, Level.DIFFERENT),
        f"{ca or min(all_a)} and {cb or min(all_b)} are different "
        "(schools sometimes mistype UPNs, so this is not decisive)",
    )


def _adjacent_swap(x: str, y: str) -> bool:
    if len(x) != len(y):
        return False
    diffs = [i for i, (p, q) in enumerate(zip(x, y, strict=True)) if p != q]
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]]


# --- postcode ---------------------------------------------------------------------------------


def _postcode(value: str | None) -> str:
    if not value:
        return ""
    return normalise_postcode(value) or "".join(value.split()).upper()


def _outward(postcode: str) -> str:
    compact = postcode.replace(" ", "")
    return compact[:-3] if len(compact) > 3 else ""


def compare_postcodes(a: PersonRecord, b: PersonRecord) -> Comparison:
    f = Field.POSTCODE
    ca, cb = _postcode(a.postcode), _postcode(b.postcode)
    all_a = {p for p in [ca, *(_postcode(p) for p in a.previous_postcodes)] if p}
    all_b = {p for p in [cb, *(_postcode(p) for p in b.previous_postcodes)] if p}
    if not all_a or not all_b:
        return Comparison(f, Level.MISSING, 0.0, "not known on both records, no effect")
    if ca and ca == cb:
        return Comparison(f, Level.EXACT, level_weight(f, Level.EXACT), f"{ca} is the same")
    shared = sorted(all_a & all_b)
    if shared:
        return Comparison(
            f,
            Level.PREVIOUS,
            level_weight(f, Level.PREVIOUS),
            f"{shared[0]} is a current or previous address on both records",
        )
    oa = {_outward(p) for p in all_a} - {""}
    ob = {_outward(p) for p in all_b} - {""}
    shown_a, shown_b = ca or min(all_a), cb or min(all_b)
    if oa & ob:
        return Comparison(
            f,
            Level.OUTWARD,
            level_weight(f, Level.OUTWARD),
            f"{shown_a} and {shown_b} are in the same area ({min(oa & ob)})",
        )
    return Comparison(
        f,
        Level.DIFFERENT,
        level_weight(f, Level.DIFFERENT),
        f"{shown_a} and {shown_b} are different (families move, so this counts only a little)",
    )


# --- sex --------------------------------------------------------------------------------------


def compare_sex(a: str | None, b: str | None) -> Comparison:
    f = Field.SEX
    x, y = (a or "").strip().upper()[:1], (b or "").strip().upper()[:1]
    if x not in ("F", "M") or y not in ("F", "M"):
        return Comparison(f, Level.MISSING, 0.0, "not known on both records, no effect")
    word = {"F": "female", "M": "male"}
    if x == y:
        return Comparison(f, Level.AGREE, level_weight(f, Level.AGREE), f"both {word[x]}")
    return Comparison(
        f, Level.DIFFERENT, level_weight(f, Level.DIFFERENT), f"{word[x]} and {word[y]}"
    )


# --- the whole record -------------------------------------------------------------------------

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
