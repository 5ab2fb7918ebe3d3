"""One merged name cell -> forenames, middle names and surname.

The surname comes first when there is a comma ("SMITH, John") or when the first word is all
capitals and the rest are not ("SMITH John Paul"), the way case lists are often typed; else the
last word is the surname ("John Paul Smith"). The case is kept as typed (never guessed at: is
"MCDONALD" "McDonald" or "Mcdonald"?). Hyphens and apostrophes belong to the word they are in.
A surname of several words without a comma ("Ana de Souza") is read as its last word: the
comma form is the one that says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmetrack.referrals.importing.values import clean_text


@dataclass(frozen=True)
class SplitName:
    forenames: str  # the first given name
    middle_names: str  # any other given names, space-separated
    surname: str


def _shouting(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def split_name(value: str) -> SplitName:
    """The parts of a merged name; all "" for a blank cell. A single word is taken as the
    forename (the surname is then missing, which the row check reports)."""
    text = clean_text(value).lstrip(", ")  # a stray leading comma says nothing
    if not text:
        return SplitName("", "", "")
    if "," in text:
        surname, _, given = (part.strip() for part in text.partition(","))
        words = given.replace(",", " ").split()
        if not words:
            return SplitName("", "", surname)
        return SplitName(words[0], " ".join(words[1:]), surname)
    words = text.split()
    if len(words) == 1:
        return SplitName(words[0], "", "")
    if _shouting(words[0]) and not all(_shouting(w) for w in words):
        return SplitName(words[1], " ".join(words[2:]), words[0])
    return SplitName(words[0], " ".join(words[1:-1]), words[-1])
