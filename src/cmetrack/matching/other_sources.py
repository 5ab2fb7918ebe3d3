"""Records other than the children held that a child may be found in: apps above matching
register a finder here in their AppConfig.ready() (the school rolls do), and the intake pages
ask every finder at once. Matching imports none of them.

A finder takes the child as a submission describes them and returns its likely records, each
with the scorer's explanation, most likely first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .explanation import MatchExplanation
from .records import PersonRecord

# A record at least this likely is shown beside a submission (the candidate panel's threshold).
SHOWN_AT = 0.5


@dataclass(frozen=True)
class SourceMatch:
    source: str  # "School roll"
    name: str
    date_of_birth: date | None
    where: str  # "Year 7 at Oak High School (roll of 1 October 2026)"
    explanation: MatchExplanation


Finder = Callable[[PersonRecord], list[SourceMatch]]
_FINDERS: list[Finder] = []


def source_register(finder: Finder) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def source_matches(record: PersonRecord, *, limit: int = 5) -> list[SourceMatch]:
    """Every finder's likely records for this child, most likely first."""
    found = [m for finder in _FINDERS for m in finder(record)]
    found.sort(key=lambda m: m.explanation.probability, reverse=True)
    return found[:limit]
