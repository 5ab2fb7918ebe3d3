"""The scorer's answer: a weight and a sentence per field, the total and the probability.

What a caseworker reads on a possible match ("First name: 'Millie' is a known short form of
'Amelia' (+6.1)"), so every number the score is made of is on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .weights import FIELD_LABELS, PRIOR_WEIGHT, Field, Level


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
