"""Is each subject anywhere in the population? The project's one matching model decides: an
exact UPN (or former UPN) first, then the probabilistic score. A small check scores every pair
with the online scorer; a large one (a whole authority's transition) runs the same model on
Splink's batch linker (DuckDB), whose levels the scorer's match one for one (matching/tests).

Each subject gets its nearest record with the scorer's explanation, found or not, so a
candidate's page can say who it was nearly matched to and why that was not enough.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cmetrack.core.postcode import normalise_postcode
from cmetrack.core.upn import normalise_upn
from cmetrack.matching.batch import link_files
from cmetrack.matching.explanation import MatchExplanation
from cmetrack.matching.names import first_name, normalise_name
from cmetrack.matching.records import TermFrequencies
from cmetrack.matching.scoring import score
from cmetrack.matching.weights import prior_for

from .people import Person

# At or above this, the subject is taken to be that record (the candidate panel's "strong").
FOUND_AT = 0.9
# Below FOUND_AT but at or above this, the nearest record is named (with its explanation: a
# twin on roll is shown, and why it is not this child).
NEAREST_AT = 1e-8
# Above this many pairs, the batch linker instead of scoring every pair.
SCORE_EVERY_PAIR_UP_TO = 60_000
# The brothers, sisters or twins named on a candidate, at most.
MOST_HOUSEHOLD = 5

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Finding:
    found: bool
    how: str  # "upn", "score", "none"
    nearest: Person | None = None
    explanation: MatchExplanation | None = None
    # Records sharing the surname and the date of birth or postcode under another first name:
    # a twin, brother or sister, whose school is where an officer asks first.
    household: tuple[Person, ...] = ()

    @property
    def percent(self) -> str:
        return self.explanation.percent if self.explanation else ""


def _upn_index(population: Sequence[Person]) -> dict[str, Person]:
    index: dict[str, Person] = {}
    for person in population:
        for upn in (person.upn, person.former_upn):
            if upn := normalise_upn(upn):
                index.setdefault(upn, person)
    return index


def _household_key(surname: str, other: str) -> tuple[str, str]:
    return (normalise_name(surname), other)


def _household_index(population: Sequence[Person]) -> dict[tuple[str, str], list[Person]]:
    index: dict[tuple[str, str], list[Person]] = {}
    for person in population:
        if not person.surname:
            continue
        if person.date_of_birth:
            index.setdefault(
                _household_key(person.surname, person.date_of_birth.isoformat()), []
            ).append(person)
        if postcode := normalise_postcode(person.postcode):
            index.setdefault(_household_key(person.surname, postcode), []).append(person)
    return index


def _household(subject: Person, index: dict[tuple[str, str], list[Person]]) -> tuple[Person, ...]:
    keys = []
    if subject.date_of_birth:
        keys.append(_household_key(subject.surname, subject.date_of_birth.isoformat()))
    if postcode := normalise_postcode(subject.postcode):
        keys.append(_household_key(subject.surname, postcode))
    mine = first_name(subject.forenames)
    seen: dict[int, Person] = {}
    for key in keys:
        for person in index.get(key, ()):
            if first_name(person.forenames) != mine:
                seen.setdefault(id(person), person)
    return tuple(seen.values())[:MOST_HOUSEHOLD]


def _by_upn(subject: Person, index: dict[str, Person]) -> Person | None:
    for upn in (subject.upn, subject.former_upn):
        if (upn := normalise_upn(upn)) and upn in index:
            return index[upn]
    return None


def _row(key: str, person: Person) -> dict[str, str]:
    return {
        "id": key,
        "first_name": person.forenames,
        "last_name": person.surname,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "sex": person.sex,
        "postcode": person.postcode,
        "upn": person.upn,
    }


def _write(path: Path, rows: Sequence[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["id", "first_name", "last_name", "date_of_birth", "sex", "postcode", "upn"],
        )
        writer.writeheader()
        writer.writerows(rows)


def _nearest_by_linker(subjects: Sequence[Person], population: Sequence[Person]) -> dict[int, int]:
    """subject index -> population index of its most likely record (Splink, best only)."""
    with tempfile.TemporaryDirectory(prefix="cmetrack-crosscheck-") as folder:
        left, right, out = (Path(folder) / n for n in ("left.csv", "right.csv", "pairs.csv"))
        _write(left, [_row(str(i), s) for i, s in enumerate(subjects)])
        _write(right, [_row(str(j), p) for j, p in enumerate(population)])
        link_files(left, right, out, threshold=NEAREST_AT, best_only=True, threads=2)
        best: dict[int, int] = {}
        with out.open(encoding="utf-8", newline="") as handle:
            for pair in csv.DictReader(handle):
                best.setdefault(int(pair["left_id"]), int(pair["right_id"]))
    return best


def _nearest_by_scorer(
    subject: Person, population: Sequence[Person], tf: TermFrequencies, prior: float
) -> tuple[int, MatchExplanation] | None:
    record = subject.record()
    best: tuple[int, MatchExplanation] | None = None
    for j, person in enumerate(population):
        explanation = score(record, person.record(), term_frequencies=tf, prior=prior)
        if best is None or explanation.probability > best[1].probability:
            best = (j, explanation)
    return best


def find_each(
    subjects: Sequence[Person],
    population: Sequence[Person],
    *,
    progress: Progress = lambda done, total, step: None,
) -> list[Finding]:
    """One Finding per subject, in order."""
    total = len(subjects)
    index = _upn_index(population)
    findings: list[Finding | None] = [None] * total
    rest: list[int] = []
    for i, subject in enumerate(subjects):
        hit = _by_upn(subject, index)
        if hit is not None:
            findings[i] = Finding(True, "upn", hit)
        else:
            rest.append(i)
    progress(total - len(rest), total, "Matched by UPN")
    tf = TermFrequencies.from_records(p.record() for p in population)
    prior = prior_for(len(population))

    def explained(i: int, j: int) -> Finding:
        explanation = score(
            subjects[i].record(), population[j].record(), term_frequencies=tf, prior=prior
        )
        found = explanation.probability >= FOUND_AT
        return Finding(found, "score" if found else "none", population[j], explanation)

    if population and len(rest) * len(population) > SCORE_EVERY_PAIR_UP_TO:
        progress(total - len(rest), total, "Linking the rest (Splink)")
        nearest = _nearest_by_linker([subjects[i] for i in rest], population)
        for k, i in enumerate(rest):
            j = nearest.get(k)
            findings[i] = explained(i, j) if j is not None else Finding(False, "none")
    else:
        for done, i in enumerate(rest, start=1):
            best = _nearest_by_scorer(subjects[i], population, tf, prior) if population else None
            if best is None or best[1].probability < NEAREST_AT:
                findings[i] = Finding(False, "none")
            else:
                findings[i] = explained(i, best[0])
            if done % 200 == 0:
                progress(total - len(rest) + done, total, "Scoring")
    progress(total, total, "Matched")
    households = _household_index(population)
    result = []
    for i, f in enumerate(findings):
        f = f or Finding(False, "none")
        result.append(f if f.found else replace(f, household=_household(subjects[i], households)))
    return result
