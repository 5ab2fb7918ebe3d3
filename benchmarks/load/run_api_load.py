"""Issue 15's API load figure, bounded: return submissions a second through the REST API, with
gunicorn (production settings) and PostgreSQL on this machine and locust in a second process.

    .venv/bin/pip install --require-hashes -r requirements/bench.txt     # locust, once
    .venv/bin/python benchmarks/load/seed.py --cases 500 --recreate      # once
    .venv/bin/python benchmarks/load/run_api_load.py --rate 200 --run-time 1m

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

Bounded: locust stops itself after --run-time and is killed 60 s after that; gunicorn is always
stopped when this script ends.
"""

from __future__ import annotations

import argparse
import os
import subprocess
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=benchdb.DEFAULT_URL)
    parser.add_argument("--rate", type=float, default=200, help="returns a second, in all")
    parser.add_argument("--users", type=int, default=40, help="school systems sending at once")
    parser.add_argument("--run-time", default="1m")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--out", type=Path, help="default var/benchmarks/load/api-<time>")
    args = parser.parse_args()
    url = benchdb.check_bench_url(args.database_url)
    out = args.out or benchdb.VAR / datetime.now().strftime("api-%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    python = str(VENV_BIN / "python")
    run([python, str(benchdb.HERE / "seed.py"), "--clear-load-returns", "--database-url", url])
    tokens = out / "tokens.txt"
    run([python, str(benchdb.HERE / "api_tokens.py"), "--database-url", url, "--out", str(tokens)])
    env = server_env(url, args.port)
    manage = str(VENV_BIN / "cmetrack")
    run([manage, "migrate", "--no-input", "-v", "0"], env=env)
    run([manage, "collectstatic", "--no-input", "-v", "0"], env=env)
    size = gunicorn_size(env)
    server = start_gunicorn(env, out / "gunicorn.log")
    try:
        wait_until_up(args.port)
        database = benchdb.database_name(url)
        app_before, db_before = gunicorn_cpu_seconds(server.pid), postgres_cpu_seconds(database)
        load_before = os.getloadavg()
        sampler = LoadSampler()
        sampler.start()
        requests_log = out / "requests.csv"
        started = datetime.now()
        locust_args = [
            str(VENV_BIN / "locust"), "-f", str(benchdb.HERE / "api_locustfile.py"),
            "--headless", "--host", f"http://127.0.0.1:{args.port}",
            "--users", str(args.users), "--spawn-rate", str(args.users),
            "--run-time", args.run_time, "--csv", str(out / "locust"), "--only-summary",
            "--stop-timeout", "10",
        ]  # fmt: skip
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
        load_after = os.getloadavg()
        sampler.done.set()
        app_cpu = gunicorn_cpu_seconds(server.pid) - app_before
        # A backend that ended during the run (a recycled worker's pool) is missed: a floor.
        db_after = postgres_cpu_seconds(database)
        db_cpu = sum(v - db_before.get(pid, 0.0) for pid, v in db_after.items())
    finally:
        stop(server)
        tokens.unlink(missing_ok=True)  # the plain tokens do not outlive the run
    title = (
        f"{started:%Y-%m-%d %H:%M}, API deletion returns, target {args.rate:g}/s from "
        f"{args.users} school systems, {args.run_time}; gunicorn {size}; "
        + load_text(load_before, load_after, sampler)
    )
    write_figures(out, requests_log, title)
    answered = sum(1 for _ in requests_log.open()) if requests_log.exists() else 0
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
