"""Names as matching compares them: normal form, parts, phonetic code and known equivalents.

Pure functions, no ORM. The nickname and transliteration list is data
(`data/nicknames.csv`), so the team can add "Kasia ↔ Katarzyna" without a code change.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jellyfish

NICKNAMES_CSV = Path(__file__).parent / "data" / "nicknames.csv"
GIVEN_NAMES_CSV = Path(__file__).parent / "data" / "given_names.csv"

_NOT_LETTER = re.compile(r"[^A-Z\s-]")
_SEPARATORS = re.compile(r"[\s-]+")


def normalise_name(value: str | None) -> str:
    """'  Zoë-Mae  o'brien ' -> 'ZOE MAE OBRIEN': no accents, apostrophes or dots, one space.

    Hyphens become spaces, so 'Smith-Jones' and 'Smith Jones' compare equal.
    """
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Characters with no ASCII decomposition (ß, ø, ł, Cyrillic) are dropped by the regex
    # below, except the few common Latin ones we can spell out.
    ascii_only = ascii_only.translate(_SPELL_OUT).upper()
    letters = _NOT_LETTER.sub("", ascii_only)
    return " ".join(_SEPARATORS.split(letters)).strip()


_SPELL_OUT = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae"})


def name_parts(value: str | None) -> tuple[str, ...]:
    """The words of a name in normal form: 'Smith-Jones' -> ('SMITH', 'JONES')."""
    return tuple(p for p in normalise_name(value).split(" ") if p)


def first_name(value: str | None) -> str:
    """The first given name: 'Amelia Rose' -> 'AMELIA'."""
    parts = name_parts(value)
    return parts[0] if parts else ""


def phonetic(value: str | None) -> str:
    """NYSIIS code of a single normalised word ('' for nothing)."""
    word = normalise_name(value).replace(" ", "")
    return jellyfish.nysiis(word) if word else ""


class EquivalenceKind:
    NICKNAME = "nickname"
    SPELLING = "spelling"


@dataclass(frozen=True)
class Equivalence:
    """Why two different names may be the same person's: 'MILLIE' is a nickname of 'AMELIA'."""

    kind: str  # EquivalenceKind
    via: str  # the given name both relate to (may be one of the two names)


class NameEquivalents:
    """Pairs read from the CSV. Two names are equivalent if one is a variant of the other, or
    both are variants of the same given name (Mohamed and Mohammed both spell Muhammad). Two
    *given* names sharing a nickname (Alexander, Alexandra via Alex) are not equivalent."""

    def __init__(self, rows: list[tuple[str, str, str]], given_names: Iterable[str] = ()) -> None:
        # variant -> {given name: kind}
        self._given_of: dict[str, dict[str, str]] = {}
        # Names in their own right (data/given_names.csv): two different ones are different
        # names however alike they are spelt (Ella and Bella), unless listed as equivalent.
        self.given_names = frozenset(n for n in map(normalise_name, given_names) if n)
        for given, variant, kind in rows:
            g, v = normalise_name(given), normalise_name(variant)
            if not g or not v or g == v:
                continue
            self._given_of.setdefault(v, {})[g] = kind

    @classmethod
    def from_csv(
        cls, path: Path = NICKNAMES_CSV, given_names_path: Path | None = GIVEN_NAMES_CSV
    ) -> NameEquivalents:
        rows: list[tuple[str, str, str]] = []
        with path.open(encoding="utf-8", newline="") as handle:
            lines = (line for line in handle if line.strip() and not line.startswith("#"))
            for row in csv.DictReader(lines):
                rows.append((row["given_name"], row["variant"], row.get("kind") or "nickname"))
        given: list[str] = []
        if given_names_path is not None:
            with given_names_path.open(encoding="utf-8", newline="") as handle:
                lines = (line for line in handle if line.strip() and not line.startswith("#"))
                given = [row["name"] for row in csv.DictReader(lines)]
        return cls(rows, given)

    def __len__(self) -> int:
        return sum(len(g) for g in self._given_of.values())

    def related(self, name: str) -> frozenset[str]:
        """The name and the given names it is a variant of: two names are equivalent (or equal)
        exactly when their related sets overlap. Batch linkage compares these as arrays."""
        return frozenset({name, *self._given_of.get(name, {})}) if name else frozenset()

    def distinct_names(self, a: str, b: str) -> bool:
        """Both are names in their own right and not equivalent: 'ELLA' and 'BELLA' are two
        names, not one name with a typing error. Normalised single names; symmetric."""
        return (
            a != b
            and a in self.given_names
            and b in self.given_names
            and self.equivalence(a, b) is None
        )

    def equivalence(self, a: str, b: str) -> Equivalence | None:
        """How normalised single names `a` and `b` relate, or None. Symmetric."""
        if not a or not b or a == b:
            return None
        of_a, of_b = self._given_of.get(a, {}), self._given_of.get(b, {})
        if b in of_a:
            return Equivalence(of_a[b], b)
        if a in of_b:
            return Equivalence(of_b[a], a)
        shared = sorted(set(of_a) & set(of_b))
        if shared:
            via = shared[0]
            kinds = {of_a[via], of_b[via]}
            kind = (
                EquivalenceKind.SPELLING
                if kinds == {EquivalenceKind.SPELLING}
                else EquivalenceKind.NICKNAME
            )
            return Equivalence(kind, via)
        return None


@cache
def default_equivalents() -> NameEquivalents:
    return NameEquivalents.from_csv()
