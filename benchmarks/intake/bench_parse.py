"""Time the intake parsers and report peak memory (printed figures, not a test).

    python benchmarks/intake/bench_parse.py [--repeat N]

Generates the files with generate.py if they are missing, then for each file runs
`parse_return_file` N times (best time reported) and once more under tracemalloc for the peak
Python allocation; ru_maxrss is the whole process's high-water mark (includes the interpreter,
imports and the file bytes). Parsing only: the service's database checks and commit are not here.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import DEFAULT_OUT, write_csv, write_ctf, write_xlsx

from cmetrack.referrals.importing.parse import parse_return_file

TODAY = date(2026, 11, 2)


def bench(path: Path, repeat: int) -> None:
    data = path.read_bytes()
    best = float("inf")
    parsed = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        parsed = parse_return_file(data, path.name, today=TODAY)
        best = min(best, time.perf_counter() - start)
    assert parsed is not None
    gc.collect()
    tracemalloc.start()
    parse_return_file(data, path.name, today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = len(parsed.rows)
    print(
        f"{path.name:<20} {len(data) / 1_000_000:6.1f} MB  {rows:>6} rows  "
        f"{len(parsed.errors):>4} errors  {len(parsed.warnings):>4} warnings  "
        f"best {best:6.3f} s  {rows / best:>9,.0f} rows/s  "
        f"peak traced {peak / 1_000_000:6.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    DEFAULT_OUT.mkdir(parents=True, exist_ok=True)
    files = {
        DEFAULT_OUT / "returns_10000.csv": write_csv,
        DEFAULT_OUT / "returns_10000.xlsx": write_xlsx,
        DEFAULT_OUT / "ctf_5000.xml": write_ctf,
    }
    print(f"Python {sys.version.split()[0]}; parse only (no database); best of {args.repeat}")
    for path, write in files.items():
        if not path.exists():
            write(path)
        bench(path, args.repeat)
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(f"process peak RSS (ru_maxrss): {maxrss_kb / 1000:.1f} MB")


if __name__ == "__main__":
    main()
