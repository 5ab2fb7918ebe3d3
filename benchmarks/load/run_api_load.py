"""Issue 15's API load figure, bounded: return submissions a second through the REST API, with
gunicorn (production settings) and PostgreSQL on this machine and the load from a second process
(locust, or wrk: far less CPU a request, which matters on 2 cores).

    .venv/bin/pip install --require-hashes -r requirements/bench.txt     # locust, once
    .venv/bin/python benchmarks/load/seed.py --cases 500 --recreate      # once
    .venv/bin/python benchmarks/load/run_api_load.py --rate 200 --run-time 1m
    apt-get install -y wrk                                               # Debian's, once
    .venv/bin/python benchmarks/load/run_api_load.py --generator wrk --connections 16 \
        --run-time 1m --requests 30000 [--workers 2 --threads 4 --worker-class gthread]

With wrk: `--requests` varied returns (api_cpu.deletion_return, each under one of the tokens in
turn) are written to a file beforehand, and `api_wrk.lua` sends them from `--connections` open
connections (`--wrk-threads` threads) as fast as they are answered, for `--run-time` or until
`--requests` have been answered, whichever is first: a closed loop, so the rate is what the
server sustains at that many requests in flight, and the latencies include the waiting.

Steps: remove what earlier load runs added (seed.py --clear-load-returns), issue two API tokens
per school account (api_tokens.py; the API's own limit, CMETRACK_API_RATE, is per token, so
the rate is spread over 20 tokens as 20 schools' systems would send), migrate and collect
static files with the production settings, start gunicorn as run_load.py does, run locust
headless with `--users` school systems each sending `rate / users` deletion returns a second
(api_locustfile.py), stop gunicorn, and print requests, failures, median, p95, p99 and
requests/s from every request locust made (var/benchmarks/load/api-<time>/), and the CPU
time per request that gunicorn (all its processes, recycled ones included) and the PostgreSQL
backends of the benchmark database spent during the run: on a machine shared with other work
the rate and latencies fall with what else runs, the CPU per request much less.

Bounded: locust stops itself after --run-time (wrk after --run-time or --requests), and either
is killed 60 s after that; gunicorn is always stopped when this script ends.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import threading
from datetime import datetime
from pathlib import Path

import benchdb
from run_load import (
    VENV_BIN,
    LoadSampler,
    _seconds,
    gunicorn_size,
    load_text,
    run,
    server_env,
    start_gunicorn,
    stop,
    wait_until_up,
    write_figures,
)

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str]:
    # After the command name in parentheses: state is [0], ppid [1], utime [11], stime [12],
    # cutime [13], cstime [14] (proc(5)).
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def gunicorn_cpu_seconds(master: int) -> float:
    """CPU of gunicorn's master and workers: the live ones', and the reaped ones' (the
    master's cutime and cstime), so a worker recycled mid-run still counts."""
    fields = _stat(master)
    total = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                child = _stat(entry.name)
            except OSError:
                continue
            if child[1] == str(master):
                total += int(child[11]) + int(child[12])
    return total / TICKS


def postgres_cpu_seconds(database: str) -> dict[str, float]:
    """CPU of each PostgreSQL backend serving `database` now, by pid (`postgres: … <db> …`)."""
    found: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if command.startswith("postgres:") and f" {database} " in command:
                fields = _stat(entry.name)
                found[entry.name] = (int(fields[11]) + int(fields[12])) / TICKS
        except OSError:
            continue
    return found


class PostgresSampler(threading.Thread):
    """The CPU of each backend of `database`, read every half second while the load runs, so a
    backend that ends mid-run (a recycled gunicorn process closes its pool) still counts, up
    to its last reading."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.before = postgres_cpu_seconds(database)
        self.last = dict(self.before)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.last |= postgres_cpu_seconds(self.database)

    def seconds(self) -> float:
        self.done.set()
        self.join()
        self.last |= postgres_cpu_seconds(self.database)
        return sum(v - self.before.get(pid, 0.0) for pid, v in self.last.items())


def write_wrk_requests(made: Path, tokens: Path, count: int) -> None:
    """`count` varied deletion returns, one a line as "<token>\t<JSON>", the tokens in turn
    (so each token's share stays under the API's per-token limit), readable by this user only."""
    from api_cpu import deletion_return

    plain = tokens.read_text().split()
    fd = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for n in range(count):
            f.write(f"{plain[n % len(plain)]}\t{json.dumps(deletion_return())}\n")


def run_wrk(args: argparse.Namespace, out: Path, made: Path) -> dict[str, int]:
    """wrk with api_wrk.lua, bounded by --run-time and --requests; its RESULT line, parsed."""
    per_thread = -(-args.requests // args.wrk_threads)  # ceiling: the limit is per wrk thread
    wrk_args = [
        "wrk", "-t", str(args.wrk_threads), "-c", str(args.connections),
        "-d", f"{_seconds(args.run_time)}s", "--timeout", "10s", "--latency",
        "-s", str(benchdb.HERE / "api_wrk.lua"), f"http://127.0.0.1:{args.port}",
    ]  # fmt: skip
    (out / "wrk-command.txt").write_text(" ".join(wrk_args) + "\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(  # noqa: S603
        wrk_args,
        cwd=benchdb.ROOT,
        env={**os.environ, "LOAD_WRK_REQUESTS": str(made), "LOAD_WRK_LIMIT": str(per_thread)},
        capture_output=True,
        text=True,
        timeout=_seconds(args.run_time) + 60,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    (out / "wrk-command.txt").open("a").write(f"exit {finished.returncode}\n")
    (out / "wrk.log").write_text(finished.stdout + finished.stderr)
    found = re.search(r"^RESULT (.*)$", finished.stdout, re.MULTILINE)
    if found is None:
        print(finished.stdout + finished.stderr)
        return {}
    result = {k: int(v) for k, v in (pair.split("=") for pair in found.group(1).split())}
    spent = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result["generator_cpu_us"] = int(spent * 1e6)
    return result


def write_wrk_figures(out: Path, result: dict[str, int], title: str) -> None:
    if not result:
        text = f"{title}\n\nwrk gave no result: see wrk.log"
    else:
        seconds = result["duration_us"] / 1e6
        errors = sum(result[k] for k in ("connect", "read", "write", "timeout"))
        own = result["generator_cpu_us"] / max(result["answered"], 1) / 1000
        text = "\n".join(
            [
                title,
                "",
                "| requests | not 201 | socket errors | median ms | p95 ms | p99 ms | max ms "
                "| returns/s |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {result['answered']:,} | {result['failures']} | {errors} | "
                f"{result['p50'] / 1000:.0f} | {result['p95'] / 1000:.0f} | "
                f"{result['p99'] / 1000:.0f} | {result['max'] / 1000:.0f} | "
                f"{(result['answered'] - result['failures']) / seconds:.1f} |",
                "",
                f"wrk's own CPU: {own:.2f} ms a request",
            ]
        )
    (out / "figures.md").write_text(text + "\n")
    print(text)


def run_locust(args: argparse.Namespace, out: Path, requests_log: Path, tokens: Path) -> None:
    locust_args = [
        str(VENV_BIN / "locust"), "-f", str(benchdb.HERE / "api_locustfile.py"),
        "--headless", "--host", f"http://127.0.0.1:{args.port}",
        "--users", str(args.users), "--spawn-rate", str(args.users),
        "--run-time", args.run_time, "--csv", str(out / "locust"), "--only-summary",
        "--stop-timeout", "10",
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with (out / "locust.log").open("wb") as locust_log:
        subprocess.run(  # noqa: S603
            locust_args,
            cwd=benchdb.ROOT,
            env={
                **os.environ,
                "LOAD_REQUEST_LOG": str(requests_log),
                "LOAD_API_TOKENS": str(tokens),
                "LOAD_API_RATE_PER_USER": f"{args.rate / args.users:g}",
            },
            stdout=locust_log,
            stderr=subprocess.STDOUT,
            timeout=_seconds(args.run_time) + 60,
            check=False,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    (out / "locust-cpu.txt").write_text(f"{spent:.2f}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=benchdb.DEFAULT_URL)
    parser.add_argument("--rate", type=float, default=200, help="returns a second, in all")
    parser.add_argument("--users", type=int, default=40, help="school systems sending at once")
    parser.add_argument("--run-time", default="1m")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--out", type=Path, help="default var/benchmarks/load/api-<time>")
    parser.add_argument("--generator", choices=["locust", "wrk"], default="locust")
    parser.add_argument("--connections", type=int, default=16, help="wrk: requests in flight")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30_000, help="wrk: at most this many")
    parser.add_argument("--workers", type=int, help="gunicorn processes (CMETRACK_WEB_PROCESSES)")
    parser.add_argument("--threads", type=int, help="gunicorn threads (CMETRACK_WEB_THREADS)")
    parser.add_argument("--worker-class", choices=["gthread", "sync"], help="default gthread")
    args = parser.parse_args()
    url = benchdb.check_bench_url(args.database_url)
    out = args.out or benchdb.VAR / datetime.now().strftime("api-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    python = str(VENV_BIN / "python")
    run([python, str(benchdb.HERE / "seed.py"), "--clear-load-returns", "--database-url", url])
    tokens = out / "tokens.txt"
    run([python, str(benchdb.HERE / "api_tokens.py"), "--database-url", url, "--out", str(tokens)])
    env = server_env(url, args.port)
    if args.workers:
        env["CMETRACK_WEB_PROCESSES"] = str(args.workers)
    if args.threads:
        env["CMETRACK_WEB_THREADS"] = str(args.threads)
    extra = ["--worker-class", args.worker_class] if args.worker_class else []
    manage = str(VENV_BIN / "cmetrack")
    run([manage, "migrate", "--no-input", "-v", "0"], env=env)
    run([manage, "collectstatic", "--no-input", "-v", "0"], env=env)
    size = gunicorn_size(env)
    if args.worker_class:
        size = re.sub(r"\((\w+)\)$", f"({args.worker_class})", size)
        if args.worker_class == "sync":  # one thread a process, whatever the setting says
            size = re.sub(r"x \d+ threads", "x 1 thread", size)
    made = out / "wrk-requests.txt"
    if args.generator == "wrk":
        write_wrk_requests(made, tokens, args.requests)
    server = start_gunicorn(env, out / "gunicorn.log", extra)
    try:
        wait_until_up(args.port)
        database = benchdb.database_name(url)
        app_before = gunicorn_cpu_seconds(server.pid)
        db_sampler = PostgresSampler(database)
        db_sampler.start()
        load_before = os.getloadavg()
        sampler = LoadSampler()
        sampler.start()
        requests_log = out / "requests.csv"
        started = datetime.now()
        wrk_result: dict[str, int] = {}
        if args.generator == "wrk":
            wrk_result = run_wrk(args, out, made)
        else:
            run_locust(args, out, requests_log, tokens)
        load_after = os.getloadavg()
        sampler.done.set()
        app_cpu = gunicorn_cpu_seconds(server.pid) - app_before
        # A backend that ended during the run counts to its last reading: a floor, just.
        db_cpu = db_sampler.seconds()
    finally:
        stop(server)
        tokens.unlink(missing_ok=True)  # the plain tokens do not outlive the run
        made.unlink(missing_ok=True)  # nor the requests that carry them
    if args.generator == "wrk":
        title = (
            f"{started:%Y-%m-%d %H:%M}, API deletion returns, wrk, {args.connections} "
            f"connections ({args.wrk_threads} thread), {args.run_time} or {args.requests:,} "
            f"requests; gunicorn {size}; " + load_text(load_before, load_after, sampler)
        )
        write_wrk_figures(out, wrk_result, title)
        answered = wrk_result.get("answered", 0)
    else:
        title = (
            f"{started:%Y-%m-%d %H:%M}, API deletion returns, target {args.rate:g}/s from "
            f"{args.users} school systems, {args.run_time}; gunicorn {size}; "
            + load_text(load_before, load_after, sampler)
        )
        write_figures(out, requests_log, title)
        answered = sum(1 for _ in requests_log.open()) if requests_log.exists() else 0
        if answered and (out / "locust-cpu.txt").exists():
            own = float((out / "locust-cpu.txt").read_text()) / answered * 1000
            print(f"locust's own CPU: {own:.2f} ms a request")
            with (out / "figures.md").open("a") as figures:
                figures.write(f"\nlocust's own CPU: {own:.2f} ms a request\n")
    if answered:
        cpu = (
            f"CPU per request: gunicorn {app_cpu / answered * 1000:.1f} ms, PostgreSQL "
            f"{db_cpu / answered * 1000:.1f} ms (at least), over {answered:,} requests"
        )
        print(cpu)
        with (out / "figures.md").open("a") as figures:
            figures.write(f"\n{cpu}\n")


if __name__ == "__main__":
    main()
