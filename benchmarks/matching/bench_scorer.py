"""Online scorer benchmark: the candidate search's keys and scorer, in memory, on generated files.

    python benchmarks/matching/bench_scorer.py var/bench [--limit 5000]

For each referral, candidates are the roll records sharing a blocking key (keys.py, as the
database search does); each is scored (scoring.score) and a pair is predicted when its
probability is at least 0.5 ("every candidate"), or only the best such candidate of each referral
("best candidate": what an officer acts on). Prints precision, recall and F1 of both, a
breakdown by kind of referral (kinds.csv: noise kinds, twin, sibling, new), time per referral and
peak memory; --show N prints N missed and N false pairs with their explanations.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import blocking_report, breakdown, read_kinds, read_pairs, report

from cmetrack.matching.keys import blocking_keys, key_weight
from cmetrack.matching.scoring import (
    PersonRecord,
    TermFrequencies,
    prior_for,
    probability_from_weight,
    score,
)

# The search's cap on children scored (selectors imports the models, so Django is set up).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.test")
django.setup()
from cmetrack.matching.selectors import MAX_SCORED  # noqa: E402


def _records(path: Path) -> dict[str, PersonRecord]:
    out: dict[str, PersonRecord] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            dob = date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None
            out[row["id"]] = PersonRecord(
                forenames=row["first_name"],
                surname=row["last_name"],
                date_of_birth=dob,
                sex=row["sex"],
                upn=row["upn"],
                postcode=row["postcode"],
            )
    return out


def _keys(r: PersonRecord, *, for_search: bool) -> set[str]:
    return blocking_keys(
        forenames=[r.forenames],
        surnames=[r.surname],
        date_of_birth=r.date_of_birth,
        upns=[r.upn],
        postcodes=[r.postcode],
        for_search=for_search,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N referrals")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument(
        "--show", type=int, default=0, help="print this many missed and false pairs, explained"
    )
    parser.add_argument(
        "--sweep", action="store_true", help="also print F1 of both decisions at other thresholds"
    )
    args = parser.parse_args()
    roll = _records(args.folder / "roll.csv")
    left = _records(args.folder / "referrals.csv")
    if args.limit:
        left = dict(list(left.items())[: args.limit])
    index: dict[str, list[str]] = defaultdict(list)
    for rid, record in roll.items():
        for key in _keys(record, for_search=False):
            index[key].append(rid)
    tf = TermFrequencies.from_records(roll.values())
    prior = prior_for(len(roll))  # as the database search does for its table
    started = time.perf_counter()
    # Candidates worth keeping for any threshold swept: (referral, roll id, weight), best first.
    kept: dict[str, list[tuple[float, str]]] = {}
    # Candidate pairs (all roll records sharing a key) and those the database search would
    # score: the MAX_SCORED best ranked by how telling the shared keys are (selectors).
    candidate_pairs: set[tuple[str, str]] = set()
    ranked_pairs: set[tuple[str, str]] = set()
    scored = 0
    for lid, record in left.items():
        hits: dict[str, float] = defaultdict(float)
        for key in _keys(record, for_search=True):
            under = index.get(key, ())
            for rid in under:
                hits[rid] += key_weight(len(roll), len(under))
        candidates = set(hits)
        candidate_pairs.update((lid, rid) for rid in candidates)
        ranked = sorted(hits, key=lambda rid: (-hits[rid], rid))[:MAX_SCORED]
        ranked_pairs.update((lid, rid) for rid in ranked)
        scored += len(candidates)
        weights = [
            (score(record, roll[rid], term_frequencies=tf, prior=prior).total_weight, rid)
            for rid in candidates
        ]
        kept[lid] = sorted(
            (w for w in weights if probability_from_weight(w[0]) >= 0.05), reverse=True
        )
    seconds = time.perf_counter() - started

    def decide(threshold: float) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """Every candidate at or above the threshold; the best candidate per referral if so."""
        every = {
            (lid, rid)
            for lid, found in kept.items()
            for w, rid in found
            if probability_from_weight(w) >= threshold
        }
        best = {
            (lid, found[0][1])
            for lid, found in kept.items()
            if found and probability_from_weight(found[0][0]) >= threshold
        }
        return every, best

    every, best = decide(args.threshold)
    truth = {p for p in read_pairs(args.folder / "truth.csv") if p[0] in left}
    traps = {p for p in read_pairs(args.folder / "traps.csv") if p[0] in left}
    kinds = read_kinds(args.folder)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(left)} referrals against {len(roll)} roll records: {scored} candidate pairs "
        f"scored in {seconds:.1f} s ({1000 * seconds / max(len(left), 1):.2f} ms per referral), "
        f"peak RSS {peak_mb:.0f} MB"
    )
    print(blocking_report(len(truth & candidate_pairs), len(truth), len(candidate_pairs)))
    print(
        f"  of which among the {MAX_SCORED} best-ranked per referral (what the database search "
        f"scores): {blocking_report(len(truth & ranked_pairs), len(truth))}"
    )
    for title, predicted in (
        ("Every candidate at or above the threshold", every),
        ("The best candidate per referral, at or above the threshold", best),
    ):
        print(f"\n{title}:")
        print(report(predicted, truth, traps))
        if kinds:
            print(breakdown(predicted, truth, kinds, left, candidate_pairs))
    if args.sweep:
        print("\nthreshold  F1 every  F1 best  traps every/best")
        for threshold in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99):
            e, b = decide(threshold)
            f1 = [report(x, truth, traps).splitlines()[1].split()[-1] for x in (e, b)]
            print(f"{threshold:>9}  {f1[0]:>8}  {f1[1]:>7}  {len(e & traps)}/{len(b & traps)}")
    if args.show:
        missed = sorted(truth - best)[: args.show]
        false = sorted(best - truth)[: args.show]
        for title, pairs in (("Missed", missed), ("False", false)):
            for lid, rid in pairs:
                result = score(left[lid], roll[rid], term_frequencies=tf, prior=prior)
                print(f"\n{title}: {lid} ({kinds.get(lid, '?')}) ~ {rid}: {result.percent}")
                print(f"  {left[lid]}\n  {roll[rid]}")
                print("\n".join(f"  {line}" for line in result.lines))


if __name__ == "__main__":
    main()
