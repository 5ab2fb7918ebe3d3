"""The coded columns (reason, source, status, outcome, risk): each distinct value found in the
file, and a suggested cmetrack code for it, which the officer confirms or changes.

A suggestion is, in order: the value is a code or label of the list; else the phrases of a
small table of common CME phrasings that the value contains as whole words ("Left - gone
abroad" contains "gone abroad"), if they agree; else the nearest label, code or phrase by
edit distance, if near enough (typos: "whereabouts unkown"). Otherwise "": the officer
decides. A suggestion is only ever a code of the list passed in, so an authority's own list
is respected.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from cmetrack.referrals.importing.values import clean_text

from ..rows import CODED_FIELDS, Choice, ColumnMapping, RegisterField, Sheet
from .phrases import PHRASES

# fuzz.ratio (normalised Indel similarity, 0-100) at least this: one or two slips in a phrase
# of ten letters or more. Lower lets "unknown" reach "whereabouts unknown", which is a guess.
FUZZY_CUTOFF = 85.0

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def code_key(value: str) -> str:
    """A coded cell as compared and stored: case, punctuation and spacing do not count
    ("Left - gone abroad " -> "left gone abroad"); "" for a blank cell."""
    return _NOT_ALNUM.sub(" ", clean_text(value).casefold().replace("&", " and ")).strip()


def distinct_values(
    sheet: Sheet, mapping: ColumnMapping
) -> dict[RegisterField, list[tuple[str, int]]]:
    """For each coded field the mapping has: its distinct non-blank keys (`code_key`) with how
    many rows have each, most common first (then alphabetical). Blank cells are left out: they
    take the field's default."""
    out: dict[RegisterField, list[tuple[str, int]]] = {}
    for field in CODED_FIELDS:
        index = mapping.get(field)
        if index is None:
            continue
        counts = Counter(
            key for cells in sheet.rows if index < len(cells) and (key := code_key(cells[index]))
        )
        out[field] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return out


def suggest_codes(
    field: RegisterField, values: Iterable[str], choices: Sequence[Choice]
) -> dict[str, str]:
    """For each value (a `code_key`, or raw text, which is keyed first): the suggested code,
    or "" when unsure."""
    codes = {choice.code for choice in choices}
    exact: dict[str, str] = {}
    for choice in choices:
        exact.setdefault(code_key(choice.label), choice.code)
        exact.setdefault(code_key(choice.code), choice.code)
    phrases = [(phrase, code) for phrase, code in PHRASES.get(field, ()) if code in codes]
    targets = dict(exact)
    for phrase, code in phrases:
        targets.setdefault(phrase, code)
    suggestions: dict[str, str] = {}
    for value in values:
        key = code_key(value)
        if key in suggestions:
            continue
        suggestions[key] = _suggest(key, exact, phrases, targets)
    return suggestions


def _suggest(
    key: str,
    exact: dict[str, str],
    phrases: Sequence[tuple[str, str]],
    targets: dict[str, str],
) -> str:
    if not key:
        return ""
    if key in exact:
        return exact[key]
    padded = f" {key} "
    found = [(phrase, code) for phrase, code in phrases if f" {phrase} " in padded]
    if found:
        # A phrase inside a longer one found too says less ("found" in "not found"); what is
        # left must agree, or the value says two things ("open - closed?") and is unsure.
        best = {
            code
            for phrase, code in found
            if not any(other != phrase and f" {phrase} " in f" {other} " for other, _ in found)
        }
        return best.pop() if len(best) == 1 else ""
    match = process.extractOne(key, targets.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return targets[match[0]] if match else ""
