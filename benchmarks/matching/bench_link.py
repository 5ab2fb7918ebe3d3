"""Batch linker benchmark: `cmetrack link` on the generated files, then quality and cost.

    python benchmarks/matching/generate.py --roll 200000 --referrals 20000 --out var/bench
    DJANGO_SETTINGS_MODULE=cmetrack.settings.test python benchmarks/matching/bench_link.py var/bench

Prints time, peak resident memory of this process (ru_maxrss) and precision/recall/F1.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.test")

from evaluate import read_pairs, report

from cmetrack.matching.batch import link_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1GB")
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
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{result.left_rows} x {result.right_rows}: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    print(
        report(
            read_pairs(out),
            read_pairs(args.folder / "truth.csv"),
            read_pairs(args.folder / "traps.csv"),
        )
    )


if __name__ == "__main__":
    main()
