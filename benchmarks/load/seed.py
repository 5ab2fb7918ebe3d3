"""Fill a `cmetrack_bench…` PostgreSQL database with a synthetic authority for the load test.

    .venv/bin/python benchmarks/load/seed.py --cases 500 --recreate
    .venv/bin/python benchmarks/load/seed.py --cases 50000 --recreate \\
        --database-url postgres://postgres@127.0.0.1:5432/cmetrack_bench_load

What it makes (authority.py says how, and in which proportions): 100 schools through the GIAS
import service, the bundled term dates, a CME team of 44 officers and 6 managers, one school
user for each of 10 schools (the school as their organisation), N cases with their children,
families, timelines, enquiries, flags, escalations and submissions, children with no case,
school returns that needed no case, a short incoming queue, and the tasks the deadline rules
give (`tasks_sync`, what `cmetrack tick` runs). Every account's password is benchdb.PASSWORD.

Re-running: `--recreate` drops and creates the database first (the way to seed again); without
it, a database that already holds cases is refused. `--clear-load-returns` only removes what a
load run added since the seed (the schools' returns and what came with them), so the next run
starts from the same register. Any database not named `cmetrack_bench…` is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import benchdb


def marker_file(url: str) -> Path:
    return benchdb.VAR / f"{benchdb.database_name(url)}.seeded.json"


def _high_water_marks() -> dict[str, int]:
    """The highest key of each table a load run writes to, right after seeding."""
    from auditlog.models import LogEntry
    from django.db.models import Max

    from cmetrack.cases.models import Case, CaseEvent, Task
    from cmetrack.referrals.models import Submission

    return {
        model.__name__: model.objects.aggregate(m=Max("pk"))["m"] or 0
        for model in (Submission, CaseEvent, Case, Task, LogEntry)
    }


def clear_load_returns(url: str) -> int:
    """Delete what a load run added after the seed (returns, their timeline lines, audit
    entries, e-mails queued for them); the seed's own rows are untouched. Returns how many
    submissions went."""
    from auditlog.models import LogEntry
    from django.db import transaction

    from cmetrack.cases.models import Case, CaseEvent, Task
    from cmetrack.referrals.models import Submission

    marks = json.loads(marker_file(url).read_text())
    with transaction.atomic():
        CaseEvent.objects.filter(pk__gt=marks["CaseEvent"]).delete()
        Task.objects.filter(pk__gt=marks["Task"]).delete()
        gone = Submission.objects.filter(pk__gt=marks["Submission"])
        count = gone.count()
        # A case a load run opened (none should: the locustfile's grounds open none) goes too.
        new_cases = Case.objects.filter(pk__gt=marks["Case"])
        Submission.objects.filter(case__in=new_cases).delete()
        gone.delete()
        new_cases.delete()
        LogEntry.objects.filter(pk__gt=marks["LogEntry"]).delete()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or benchdb.DEFAULT_URL
    )
    parser.add_argument("--recreate", action="store_true", help="drop and create it first")
    parser.add_argument(
        "--clear-load-returns",
        action="store_true",
        help="only remove what load runs added since the seed, then stop",
    )
    args = parser.parse_args()
    url = benchdb.check_bench_url(args.database_url)
    if args.clear_load_returns:
        benchdb.setup_django(url)
        print(f"removed {clear_load_returns(url)} submissions made by load runs")
        return
    started = time.perf_counter()
    if args.recreate:
        benchdb.recreate_database(url)
    elif not benchdb.database_exists(url):
        sys.exit(f"No database {benchdb.database_name(url)}: use --recreate to create it.")
    benchdb.setup_django(url)
    from django.core.management import call_command

    from cmetrack.cases.models import Case

    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    if Case.objects.exists():
        sys.exit("This database already holds cases: seed again with --recreate.")

    import authority  # after django.setup(): it imports the models

    counts = authority.build(args.cases, seed=args.seed, say=print)
    benchdb.VAR.mkdir(parents=True, exist_ok=True)
    marker_file(url).write_text(json.dumps(_high_water_marks()))
    took = time.perf_counter() - started
    print(
        "rows: "
        + ", ".join(f"{name} {n:,}" for name, n in sorted(counts.rows.items(), key=lambda i: i[0]))
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"seeded {benchdb.database_name(url)} with {args.cases:,} cases in {took:.1f} s "
        f"(migrate {migrated - started:.1f} s, data {took - (migrated - started):.1f} s); "
        f"peak memory {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
