"""How long the daily `cmetrack tick` takes over many open cases (issue 4: 100,000 in < 60 s).

Builds a synthetic register straight into a database you name (bulk inserts: benchmark data,
not casework, so it bypasses the services on purpose), loads the example term dates, then runs
the tick twice: the first run creates every task, the second proves it creates nothing twice.

    createdb -h 127.0.0.1 -U postgres cmetrack_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmetrack_bench \
        .venv/bin/python benchmarks/clock/tick_benchmark.py --cases 100000

It wipes the children, cases and tasks of that database first: never point it at real data.
"""

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.dev")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cmetrack.cases.models import Case, MissingReason, Task  # noqa: E402
from cmetrack.cases.services import tasks_escalate_overdue, tasks_sync  # noqa: E402
from cmetrack.children.models import Child  # noqa: E402
from cmetrack.schooldays.selectors import school_calendar  # noqa: E402
from cmetrack.schooldays.services import term_dates_load_bundled  # noqa: E402

STATUSES = ["referred", "enquiries", "located", "placed", "untraced", "transferred"]


def build(n: int, rng: random.Random) -> None:
    Task.objects.all().delete()
    Case.objects.all().delete()
    Child.objects.all().delete()
    reasons = list(MissingReason.objects.all())
    today = timezone.localdate()
    children = Child.objects.bulk_create(
        [
            Child(
                forenames=f"Child{i}",
                surname=f"Bench{i % 997}",
                date_of_birth=date(2012, 1, 1) + timedelta(days=i % 2000),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    cases = []
    for i, child in enumerate(children):
        referred = today - timedelta(days=rng.randint(0, 200))
        status = rng.choice(STATUSES)
        cases.append(
            Case(
                child=child,
                status=status,
                primary_reason=rng.choice(reasons),
                referral_date=referred,
                referral_source="school",
                reference=f"CME-B{i:07d}",
                status_changed_on=referred + timedelta(days=rng.randint(0, 20)),
            )
        )
    Case.objects.bulk_create(cases, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(args.cases, random.Random(args.seed))
    term_dates_load_bundled()
    print(
        f"database: {connection.vendor}; built {args.cases} open cases in "
        f"{time.perf_counter() - started:.1f} s"
    )
    for run in (1, 2):
        t0 = time.perf_counter()
        result = tasks_sync(cases=Case.objects.all(), calendar=school_calendar())
        escalated = tasks_escalate_overdue()
        took = time.perf_counter() - t0
        print(
            f"tick run {run}: {took:.1f} s; {result.cases} cases, {result.created} tasks "
            f"created, {result.cancelled} cancelled, {escalated} overdue reported, "
            f"{len(result.missing_term_dates)} term-date gaps"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole process): {peak:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
