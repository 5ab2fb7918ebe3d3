"""Online scorer benchmark: the candidate search's keys and scorer, in memory, on generated files.

    python benchmarks/matching/bench_scorer.py var/bench [--limit 5000]

For each referral, candidates are the roll records sharing a blocking key (keys.py, as the
database search does); each is scored (scoring.score) and a pair is predicted when its
probability is at least 0.5. Prints precision, recall, F1, time per referral and peak memory.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import read_pairs, report

from cmetrack.matching.keys import blocking_keys
from cmetrack.matching.scoring import PersonRecord, TermFrequencies, score


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N referrals")
    parser.add_argument("--threshold", type=float, default=0.5)
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
    started = time.perf_counter()
    predicted: set[tuple[str, str]] = set()
    scored = 0
    for lid, record in left.items():
        candidates = {rid for key in _keys(record, for_search=True) for rid in index.get(key, ())}
        scored += len(candidates)
        for rid in candidates:
            if score(record, roll[rid], term_frequencies=tf).probability >= args.threshold:
                predicted.add((lid, rid))
    seconds = time.perf_counter() - started
    truth = {p for p in read_pairs(args.folder / "truth.csv") if p[0] in left}
    traps = {p for p in read_pairs(args.folder / "traps.csv") if p[0] in left}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(left)} referrals against {len(roll)} roll records: {scored} candidate pairs "
        f"scored in {seconds:.1f} s ({1000 * seconds / max(len(left), 1):.2f} ms per referral), "
        f"peak RSS {peak_mb:.0f} MB"
    )
    print(report(predicted, truth, traps))


if __name__ == "__main__":
    main()
