"""Issue 12's load figure, bounded: (seed,) gunicorn with the production settings, locust, figures.

    .venv/bin/pip install --require-hashes -r requirements/bench.txt     # locust, once
    .venv/bin/python benchmarks/load/run_load.py --cases 500             # seed 500, then load
    .venv/bin/python benchmarks/load/run_load.py --cases 50000
    .venv/bin/python benchmarks/load/run_load.py                         # the database as it is

Steps: seed (only with --cases: seed.py --recreate), or else remove what earlier load runs
added (seed.py --clear-load-returns) so every run starts from the same register; migrate and
collectstatic with the production settings; start gunicorn (src/cmetrack/gunicorn_config.py
sizes it) on 127.0.0.1; run locust headless (60 users: 50 officers and 10 schools, spawn rate
10, 2 minutes, --csv) as a second process; stop gunicorn; print requests, failures, median,
p95, p99 and requests/s per page type and overall, from every request locust made
(locustfile.py writes them to requests.csv beside locust's own CSV files).

Bounded: locust stops itself after --run-time, is killed 60 s after that if it has not, and
gunicorn is always stopped (SIGTERM to its process group, then SIGKILL) when this script ends.
`--slow-ms N` logs every statement slower than N ms for the run (ALTER DATABASE … SET
log_min_duration_statement; PostgreSQL's own log) and resets it afterwards.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import benchdb

VENV_BIN = benchdb.ROOT / ".venv" / "bin"
SIGN_IN = ("sign-in", "sign-in form")


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already-sorted values."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(p / 100 * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def server_env(url: str, port: int) -> dict[str, str]:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cmetrack.settings.production",
        "CMETRACK_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "CMETRACK_REQUIRE_2FA": "0",
        "CMETRACK_SSL_REDIRECT": "0",
        "CMETRACK_STATIC_ROOT": "var/benchmarks/staticfiles",
        "CMETRACK_BIND": f"127.0.0.1:{port}",
        "DATABASE_URL": url,
    }


def run(args: list[str], **kwargs: object) -> None:
    subprocess.run(args, check=True, cwd=benchdb.ROOT, **kwargs)  # type: ignore[call-overload]  # noqa: S603


def psql(url: str, sql: str) -> None:
    run(["psql", "-q", url.replace("postgres://", "postgresql://"), "-c", sql])


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/account/sign-in/", timeout=5
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer within a minute: see gunicorn.log")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def gunicorn_size(env: dict[str, str]) -> str:
    found = subprocess.run(  # noqa: S603
        [str(VENV_BIN / "python"), "-c",
         "import cmetrack.gunicorn_config as g; print(g.workers, g.threads, g.worker_class)"],
        capture_output=True, text=True, check=True, env=env, cwd=benchdb.ROOT,
    )  # fmt: skip
    workers, threads, kind = found.stdout.split()
    return f"{workers} processes x {threads} threads ({kind})"


Row = tuple[float, float, bool]  # start (epoch seconds), milliseconds, ok


def _table(rows: dict[str, list[Row]], span: float) -> list[str]:
    lines = [
        "| page type | requests | failures | median ms | p95 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def line(name: str, items: list[Row]) -> str:
        if not items:
            return f"| {name} | 0 | 0 | | | | |"
        times = sorted(r[1] for r in items)
        failures = sum(1 for r in items if not r[2])
        return (
            f"| {name} | {len(items):,} | {failures} | {statistics.median(times):.0f} | "
            f"{percentile(times, 95):.0f} | {percentile(times, 99):.0f} | {len(items) / span:.1f} |"
        )

    for name in sorted(rows):
        lines.append(line(name, rows[name]))
    pages = [r for name, v in rows.items() if name not in SIGN_IN for r in v]
    lines.append(line("**all pages (sign-in excluded)**", pages))
    lines.append(line("**everything**", [r for v in rows.values() for r in v]))
    return lines


def report(log: Path, title: str) -> str:
    """Two tables from every request: the whole run, and the steady state (requests that
    started once the last user had signed in and the backlog of that burst was cleared)."""
    rows: dict[str, list[Row]] = defaultdict(list)
    with log.open() as f:
        for start, name, ms, ok in csv.reader(f):
            rows[name].append((float(start), float(ms), ok == "1"))
    everything = [r for v in rows.values() for r in v]
    if not everything:
        return "no requests were made: see locust.log"
    first = min(r[0] for r in everything)
    last = max(r[0] + r[1] / 1000 for r in everything)
    signed_in = max((r[0] + r[1] / 1000 for r in rows.get("sign-in", [])), default=first)
    # ... and once every request that was waiting behind the sign-ins has been answered: the
    # burst's backlog, not only the sign-ins themselves, is over.
    drained = max((r[0] + r[1] / 1000 for r in everything if r[0] < signed_in), default=first)
    signed_in = max(signed_in, drained)
    steady = {name: [r for r in v if r[0] >= signed_in] for name, v in rows.items()}
    steady = {name: v for name, v in steady.items() if v}
    return "\n".join(
        [
            title,
            "",
            f"Whole run ({last - first:.0f} s):",
            "",
            *_table(rows, max(last - first, 1.0)),
            "",
            f"Steady state: the {last - signed_in:.0f} s after the last sign-in, and every "
            f"request waiting behind the sign-ins, had been answered ({signed_in - first:.0f} s "
            "into the run):",
            "",
            *_table(steady, max(last - signed_in, 1.0)),
        ]
    )


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 10 s while the load runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(10):
            self.samples.append(os.getloadavg()[0])


def start_gunicorn(
    env: dict[str, str], log: Path, extra: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """gunicorn as `make serve` sizes it (or with `extra` command-line settings, which win over
    the config file's), its output in `log`; stop() ends it."""
    with log.open("wb") as server_log:
        return subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "python:cmetrack.gunicorn_config",
                *(extra or []),
                "cmetrack.wsgi",
            ],
            cwd=benchdb.ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() ends every worker
        )


def load_text(before: tuple[float, ...], after: tuple[float, ...], sampler: LoadSampler) -> str:
    return (
        f"load average before {' '.join(f'{x:.2f}' for x in before)}, after "
        f"{' '.join(f'{x:.2f}' for x in after)}, during "
        f"{min(sampler.samples, default=0):.2f}-{max(sampler.samples, default=0):.2f}"
    )


def write_figures(out: Path, requests_log: Path, title: str) -> None:
    """figures.md from every request locust made, printed too, with locust's failures."""
    text = report(requests_log, title)
    (out / "figures.md").write_text(text + "\n")
    print(text)
    failures = out / "locust_failures.csv"
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print("\nfailures (locust_failures.csv):\n" + failures.read_text())
    print(f"\nfiles: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, help="seed this many cases first (recreates)")
    parser.add_argument("--database-url", default=benchdb.DEFAULT_URL)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="2m")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--out", type=Path, help="default var/benchmarks/load/<time>")
    parser.add_argument("--slow-ms", type=int, help="log statements slower than this")
    parser.add_argument(
        "--officer-wait", default="5,15", help="seconds between an officer's pages (min,max)"
    )
    parser.add_argument("--school-wait", default="5,15", help="seconds between a school's steps")
    parser.add_argument(
        "--sign-in-spread", type=float, default=0, help="spread the sign-ins over N seconds"
    )
    args = parser.parse_args()
    url = benchdb.check_bench_url(args.database_url)
    out = args.out or benchdb.VAR / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    python = str(VENV_BIN / "python")
    seed = str(benchdb.HERE / "seed.py")
    if args.cases is not None:
        run([python, seed, "--cases", str(args.cases), "--recreate", "--database-url", url])
    else:
        run([python, seed, "--clear-load-returns", "--database-url", url])
    env = server_env(url, args.port)
    manage = str(VENV_BIN / "cmetrack")
    run([manage, "migrate", "--no-input", "-v", "0"], env=env)
    run([manage, "collectstatic", "--no-input", "-v", "0"], env=env)
    name = benchdb.database_name(url)
    if args.slow_ms is not None:
        psql(url, f"ALTER DATABASE {name} SET log_min_duration_statement = {args.slow_ms}")
    size = gunicorn_size(env)
    server = start_gunicorn(env, out / "gunicorn.log")
    try:
        wait_until_up(args.port)
        load_before = os.getloadavg()
        sampler = LoadSampler()
        sampler.start()
        requests_log = out / "requests.csv"
        requests_log.unlink(missing_ok=True)
        started = datetime.now()
        locust_args = [
            str(VENV_BIN / "locust"), "-f", str(benchdb.HERE / "locustfile.py"), "--headless",
            "--host", f"http://127.0.0.1:{args.port}", "--users", str(args.users),
            "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time,
            "--csv", str(out / "locust"), "--only-summary", "--stop-timeout", "10",
        ]  # fmt: skip
        seconds = _seconds(args.run_time)
        with (out / "locust.log").open("wb") as locust_log:
            subprocess.run(  # noqa: S603
                locust_args,
                cwd=benchdb.ROOT,
                env={
                    **os.environ,
                    "LOAD_REQUEST_LOG": str(requests_log),
                    "LOAD_OFFICER_WAIT": args.officer_wait,
                    "LOAD_SCHOOL_WAIT": args.school_wait,
                    "LOAD_SIGN_IN_SPREAD": str(args.sign_in_spread),
                },
                stdout=locust_log,
                stderr=subprocess.STDOUT,
                timeout=seconds + 60,
                check=False,  # locust exits 1 when any request failed: the figures say which
            )
        load_after = os.getloadavg()
        sampler.done.set()
    finally:
        stop(server)
        if args.slow_ms is not None:
            psql(url, f"ALTER DATABASE {name} RESET log_min_duration_statement")
    from_db = _cases(url)
    title = (
        f"{started:%Y-%m-%d %H:%M}, {from_db}, {args.users} users (spawn {args.spawn_rate:g}/s), "
        f"{args.run_time}, pauses: officers {args.officer_wait} s, schools {args.school_wait} s"
        + (f", sign-ins spread over {args.sign_in_spread:g} s" if args.sign_in_spread else "")
        + f"; gunicorn {size}; "
        + load_text(load_before, load_after, sampler)
    )
    write_figures(out, requests_log, title)


def _seconds(run_time: str) -> int:
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0, ""
    for ch in run_time:
        if ch.isdigit():
            number += ch
        else:
            total += int(number or 0) * units[ch]
            number = ""
    return total + int(number or 0)


def _cases(url: str) -> str:
    found = subprocess.run(  # noqa: S603
        ["psql", "-Atc",  # noqa: S607
         "SELECT count(*), count(*) FILTER (WHERE status <> 'closed') FROM cases_case",
         url.replace("postgres://", "postgresql://")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    total, open_ = found.stdout.strip().split("|")
    return f"{int(total):,} cases ({int(open_):,} open)"


if __name__ == "__main__":
    main()
