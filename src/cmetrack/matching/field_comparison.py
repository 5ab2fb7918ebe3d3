"""Comparing the other particulars: date of birth, UPN (current and former), postcode
(current and previous addresses), sex. A value missing on either side is "not known" (weight 0).
"""

from __future__ import annotations

from datetime import date

from rapidfuzz.distance import Levenshtein

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn

from .explanation import Comparison
from .records import PersonRecord
from .weights import Field, Level, level_weight

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
    if abs(a.toordinal() - b.toordinal()) == 1:
        return Comparison(
            f, Level.ONE_DAY, level_weight(f, Level.ONE_DAY), f"one day apart ({pair})"
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
