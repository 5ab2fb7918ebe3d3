"""Comparing names: first names and surnames, across every name each record is known by.

A first name can agree exactly (weighed by how common it is, see TermFrequencies), be a known
nickname or other spelling (data/nicknames.csv), a middle name on the other record, a typing
error, a sound-alike, or different; a surname can also agree on one part of a double surname.
First name and surname written the wrong way round is its own level, SWAPPED.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from rapidfuzz.distance import OSA, JaroWinkler

from .explanation import Comparison
from .names import (
    EquivalenceKind,
    NameEquivalents,
    first_name,
    name_parts,
    normalise_name,
    phonetic,
)
from .records import PersonRecord, TermFrequencies
from .weights import (
    JW_HIGH,
    JW_LOW,
    LEVELS,
    ONE_EDIT_MIN_LENGTH,
    TF_FLOOR,
    Field,
    Level,
    level_weight,
)


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


def _typing_error_apart(x: str, y: str) -> bool:
    """Equal, or within what the first-name comparison calls a typing error."""
    if x == y or _jw(x, y) >= JW_HIGH:
        return True
    return min(len(x), len(y)) >= ONE_EDIT_MIN_LENGTH and OSA.distance(x, y) <= 1


def names_swapped(fa: str, sa: str, fb: str, sb: str) -> bool:
    """First name and surname written the wrong way round, perhaps with a typing error in
    either: each record's first name is the other's surname, or its first or last part, or a
    typing error of it (Jaro-Winkler >= JW_HIGH, or one edit in names of ONE_EDIT_MIN_LENGTH or
    more letters), and the two names are not simply the same. Normalised first names
    and surnames (the batch linker's `splink_settings.NamesSwappedLevel` is the same test)."""
    if not (fa and fb and sa and sb) or (fa == fb and sa == sb):
        return False

    def alike(first: str, surname: str) -> bool:
        parts = name_parts(surname)
        options = {surname, parts[0], parts[-1]} if parts else {surname}
        return any(_typing_error_apart(first, s) for s in options)

    return alike(fa, sb) and alike(fb, sa)


def _swapped(a: PersonRecord, b: PersonRecord) -> bool:
    return names_swapped(
        first_name(a.forenames),
        normalise_name(a.surname),
        first_name(b.forenames),
        normalise_name(b.surname),
    )


_WEAK_FORENAME = (Level.DIFFERENT, Level.JW_LOW, Level.PHONETIC)


def compare_names(
    a: PersonRecord, b: PersonRecord, *, eq: NameEquivalents, tf: TermFrequencies | None
) -> tuple[Comparison, Comparison]:
    na, nb = _names(a), _names(b)
    fore = _best(_forename_pair(x[0], y[0], eq, tf) for x in na for y in nb)
    sur = _best(_surname_pair(x[1], y[1], tf) for x in na for y in nb)
    # A swap is looked for only when the first names are no better than somewhat similar and
    # the surnames are not the same.
    if fore[0] in _WEAK_FORENAME and sur[0] != Level.EXACT and _swapped(a, b):
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
