"""Batch linker benchmark: `cmetrack link` on the generated files, then quality and cost.

    python benchmarks/matching/generate.py --roll 200000 --referrals 20000 --out var/bench
    DJANGO_SETTINGS_MODULE=cmetrack.settings.test python benchmarks/matching/bench_link.py var/bench

Prints time, peak resident memory of this process (ru_maxrss) during the link, then
precision/recall/F1, blocking recall (the share of true pairs any blocking rule produces as a
candidate, whatever their score: the blocking rules evaluated on the true pairs in DuckDB) and a
breakdown by kind (kinds.csv). --rules also counts the candidate pairs each rule adds (Splink's
count_comparisons_from_blocking_rules, exact) and the true pairs each rule finds.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.test")

from evaluate import Pair, blocking_report, breakdown, read_kinds, read_pairs, report

from cmetrack.matching.batch import arrow_table, link_files, read_prepared
from cmetrack.matching.splink_settings import blocking_rules


def _rule_sql(rule: Any) -> str:
    from splink.internals.blocking_rule_creator_utils import to_blocking_rule_creator

    return str(to_blocking_rule_creator(rule).get_blocking_rule("duckdb").blocking_rule_sql)


def blocked_true_pairs(folder: Path, truth: set[Pair]) -> list[tuple[str, set[Pair]]]:
    """Per blocking rule, the true pairs it produces. Each rule is tried both ways round (left
    record as l and as r), so the answer does not depend on which side Splink puts first."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    left_rows = arrow_table(read_prepared(folder / "referrals.csv"))  # noqa: F841 (DuckDB reads it)
    right_rows = arrow_table(read_prepared(folder / "roll.csv"))  # noqa: F841
    pairs = pa.table(  # noqa: F841
        {"left_id": [p[0] for p in truth], "right_id": [p[1] for p in truth]}
    )
    found = []
    for rule in blocking_rules():
        sql = _rule_sql(rule)
        rows = con.execute(
            f"""
            SELECT t.left_id, t.right_id FROM pairs t
            JOIN left_rows l ON l.unique_id = t.left_id
            JOIN right_rows r ON r.unique_id = t.right_id
            WHERE coalesce(({sql}), false)
            UNION
            SELECT t.left_id, t.right_id FROM pairs t
            JOIN right_rows l ON l.unique_id = t.right_id
            JOIN left_rows r ON r.unique_id = t.left_id
            WHERE coalesce(({sql}), false)
            """  # noqa: S608 (our own rules) # nosec B608
        ).fetchall()
        found.append((sql, {(a, b) for a, b in rows}))
    con.close()
    return found


def pairs_per_rule(folder: Path) -> list[tuple[str, int]]:
    """Candidate pairs each rule adds to those of the rules before it (exact count)."""
    import duckdb
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    db_api = DuckDBAPI(connection=duckdb.connect())
    frames = [
        db_api.register(arrow_table(read_prepared(folder / name)), dataset_display_name=label)
        for name, label in (("referrals.csv", "left_file"), ("roll.csv", "right_file"))
    ]
    records = count_comparisons_from_blocking_rules(
        frames,
        blocking_rules=blocking_rules(),
        link_type="link_only",
        record_sample_proportion=1.0,
    )
    return [(r["blocking_rule"], int(r["marginal_comparison_count"])) for r in records]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1GB")
    parser.add_argument("--rules", action="store_true", help="count pairs per blocking rule")
    parser.add_argument(
        "--best-only", action="store_true", help="each referral's most likely roll record only"
    )
    args = parser.parse_args()
    out = args.folder / "pairs.csv"
    started = time.perf_counter()
    result = link_files(
        args.folder / "referrals.csv",
        args.folder / "roll.csv",
        out,
        threshold=args.threshold,
        progress=print,
        threads=args.threads,
        memory_limit=args.memory_limit,
        best_only=args.best_only,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{result.left_rows} x {result.right_rows}: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    predicted = read_pairs(out)
    truth = read_pairs(args.folder / "truth.csv")
    print(report(predicted, truth, read_pairs(args.folder / "traps.csv")))
    per_rule = blocked_true_pairs(args.folder, truth)
    candidates: set[Pair] = set().union(*(found for _, found in per_rule))
    print(blocking_report(len(candidates), len(truth)))
    if kinds := read_kinds(args.folder):
        print(breakdown(predicted, truth, kinds, kinds, candidates))
    if args.rules:
        counts = pairs_per_rule(args.folder)
        print(f"\n{'pairs added':>12} {'true pairs':>10}  rule")
        for (sql, found), (_rule, added) in zip(per_rule, counts, strict=True):
            print(f"{added:>12,} {len(found):>10}  {sql}")
        print(f"{sum(c for _, c in counts):>12,} {len(candidates):>10}  all rules")


if __name__ == "__main__":
    main()
