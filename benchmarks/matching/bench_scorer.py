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
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import read_pairs, report

from cmetrack.matching.keys import blocking_keys
from cmetrack.matching.scoring import (
    PersonRecord,
    TermFrequencies,
    prior_for,
    probability_from_weight,
    score,
)


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
        surnames=[r.surname],
        date_of_birth=r.date_of_birth,
        upns=[r.upn],
        postcodes=[r.postcode],
        for_search=for_search,
    )


def _breakdown(
    predicted: set[tuple[str, str]],
    truth: set[tuple[str, str]],
    kinds: dict[str, str],
    referrals: Iterable[str],
) -> str:
    """Per kind of referral (each noise kind counted on its own; a referral with two kinds of
    noise counts under both): how many, how many true pairs found/missed, false pairs made."""
    true_of = dict(truth)
    wrong: Counter[str] = Counter()
    for lid, _rid in predicted - truth:
        wrong[lid] += 1
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for lid in referrals:
        kind = kinds.get(lid, "?")
        for part in kind.split("+") if "+" in kind or kind not in ("new",) else [kind]:
            row = rows[part]
            row[0] += 1
            if lid in true_of:
                if (lid, true_of[lid]) in predicted:
                    row[1] += 1
                else:
                    row[2] += 1
            row[3] += wrong[lid]
    lines = [f"{'kind of referral':<18} {'referrals':>9} {'found':>6} {'missed':>6} {'false':>6}"]
    for kind, (n, found, missed, false) in sorted(rows.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"{kind:<18} {n:>9} {found:>6} {missed:>6} {false:>6}")
    return "\n".join(lines)


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
    scored = 0
    for lid, record in left.items():
        candidates = {rid for key in _keys(record, for_search=True) for rid in index.get(key, ())}
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
    kinds_path = args.folder / "kinds.csv"
    kinds: dict[str, str] = {}
    if kinds_path.exists():
        with kinds_path.open(encoding="utf-8") as handle:
            kinds = {row["left_id"]: row["kind"] for row in csv.DictReader(handle)}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(left)} referrals against {len(roll)} roll records: {scored} candidate pairs "
        f"scored in {seconds:.1f} s ({1000 * seconds / max(len(left), 1):.2f} ms per referral), "
        f"peak RSS {peak_mb:.0f} MB"
    )
    for title, predicted in (
        ("Every candidate at or above the threshold", every),
        ("The best candidate per referral, at or above the threshold", best),
    ):
        print(f"\n{title}:")
        print(report(predicted, truth, traps))
        if kinds:
            print(_breakdown(predicted, truth, kinds, left))
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
