"""The batch linker on DuckDB and on Spark (local mode) on the same files: cost, quality, agreement.

    python benchmarks/matching/generate.py --roll 21000 --referrals 2000 --seed 14 --out /tmp/lb/2k
    python benchmarks/matching/bench_spark.py /tmp/lb/2k [--threads 2] [--driver-memory 2g]

(or `--generate ROLL REFERRALS [--seed 14]` to write the folder first). Needs requirements/
spark.txt and a Java runtime (`make bench-spark`). Each engine runs in a child process of its
own (a fresh JVM for Spark), so its time and memory are its own: seconds as the linker reports
them (reading the CSVs to the written pairs, Spark's start included) and the peak resident memory
of the child and everything it started (Python, DuckDB, the JVM), sampled every 0.2 s. Then the
pair counts, precision/recall/F1 against the generator's truth (evaluate.py), and whether the two
engines wrote the same pairs with the same probabilities. --rules also prints the candidate pairs
each blocking rule adds (bench_link.pairs_per_rule, DuckDB, exact): the figures the national-scale
plan in docs/matching.md scales from.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.test")

from evaluate import read_pairs, report

ENGINES = ("duckdb", "spark")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, now (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * PAGE
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def run_engine(engine: str, folder: Path, out: Path, args: argparse.Namespace) -> dict[str, float]:
    """One engine in a child process; its own figures plus the peak memory of its process tree."""
    command = [
        sys.executable,
        __file__,
        str(folder),
        "--child",
        engine,
        "--out",
        str(out),
        "--threshold",
        str(args.threshold),
        "--threads",
        str(args.threads),
    ]
    if args.best_only:
        command.append("--best-only")
    memory = args.driver_memory if engine == "spark" else args.memory_limit
    if memory:
        command += ["--memory", memory]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 # nosec B603
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(child.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    stop.set()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{engine} failed (exit {child.returncode})")
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    result["peak_mb"] = peak / 2**20
    return result


def child_main(args: argparse.Namespace) -> None:
    """In the child: link once with one engine, progress to stderr, figures as JSON on stdout."""
    from cmetrack.matching.batch import link_files
    from cmetrack.matching.batch_spark import link_files_spark

    def progress(message: str) -> None:
        print(f"  {args.child}: {message}", file=sys.stderr, flush=True)

    left, right = args.folder / "referrals.csv", args.folder / "roll.csv"
    if args.child == "spark":
        result = link_files_spark(
            left,
            right,
            args.out,
            threshold=args.threshold,
            progress=progress,
            cores=args.threads,
            driver_memory=args.memory,
            best_only=args.best_only,
        )
    else:
        result = link_files(
            left,
            right,
            args.out,
            threshold=args.threshold,
            progress=progress,
            threads=args.threads,
            memory_limit=args.memory,
            best_only=args.best_only,
        )
    figures = {
        "left_rows": result.left_rows,
        "right_rows": result.right_rows,
        "pairs": result.pairs_written,
        "seconds": result.seconds,
    }
    print(json.dumps(figures), flush=True)


def _probabilities(path: Path) -> dict[tuple[str, str], float]:
    with path.open(encoding="utf-8") as handle:
        return {
            (row["left_id"], row["right_id"]): float(row["match_probability"])
            for row in csv.DictReader(handle)
        }


def agreement(a: Path, b: Path) -> str:
    """Whether two output files hold the same pairs, and how far apart their probabilities are."""
    first, second = _probabilities(a), _probabilities(b)
    only_a, only_b = len(first.keys() - second.keys()), len(second.keys() - first.keys())
    both = first.keys() & second.keys()
    diff = max((abs(first[k] - second[k]) for k in both), default=0.0)
    identical = a.read_bytes() == b.read_bytes()
    verdict = "AGREE" if not only_a and not only_b and diff <= 1e-6 else "DIFFER"
    return (
        f"engines {verdict}: {len(both)} pairs in both, {only_a} only in {a.name}, {only_b} only "
        f"in {b.name}; largest probability difference {diff:.2g}; files byte-identical: "
        f"{identical}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--generate", nargs=2, type=int, metavar=("ROLL", "REFERRALS"))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads, Spark local[N]")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1GB")
    parser.add_argument("--driver-memory", default="2g", help="Spark driver heap (local mode)")
    parser.add_argument("--best-only", action="store_true")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument("--rules", action="store_true", help="candidate pairs per blocking rule")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    if args.generate:
        from generate import generate, write

        roll, left, truth, traps, kinds = generate(*args.generate, args.seed)
        write(args.folder, roll, left, truth, traps, kinds)
        print(f"generated {len(roll)} x {len(left)} (seed {args.seed}) in {args.folder}")

    truth = read_pairs(args.folder / "truth.csv")
    traps = read_pairs(args.folder / "traps.csv")
    suffix = "-best" if args.best_only else ""
    outputs: dict[str, Path] = {}
    for engine in args.engines.split(","):
        out = args.folder / f"pairs-{engine}{suffix}.csv"
        figures = run_engine(engine, args.folder, out, args)
        outputs[engine] = out
        print(
            f"\n== {engine}: {figures['left_rows']:,.0f} x {figures['right_rows']:,.0f}, "
            f"threshold {args.threshold}{', best only' if args.best_only else ''}, "
            f"{args.threads} threads\n"
            f"{figures['seconds']:.1f} s (wall {figures['wall_seconds']:.1f} s), peak RSS "
            f"{figures['peak_mb']:,.0f} MB, {figures['pairs']:,.0f} pairs"
        )
        print(report(read_pairs(out), truth, traps))
    if len(outputs) == 2:
        print("\n" + agreement(outputs["duckdb"], outputs["spark"]))
    if args.rules:
        from bench_link import pairs_per_rule

        counts = pairs_per_rule(args.folder)
        print(f"\n{'pairs added':>14}  rule")
        for sql, added in counts:
            print(f"{added:>14,}  {sql}")
        print(f"{sum(c for _, c in counts):>14,}  all rules")


if __name__ == "__main__":
    main()
