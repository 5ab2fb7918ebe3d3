"""How long the termly return takes over a national year of cases (issue 10: 150,000 in < 5 s).

Seeds a synthetic register with a timeline straight into its own PostgreSQL database,
cmetrack_bench_census (bulk inserts: benchmark data, not casework, so it bypasses the services
on purpose), then times the return the managers' page and `cmetrack statutory-return` share
(reports.selectors.build_return) and prints its figures. Not a test.

    createdb -h 127.0.0.1 -U postgres cmetrack_bench_census   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmetrack_bench_census \
        .venv/bin/python benchmarks/statutory_return.py --cases 150000

It refuses any other database, and wipes that one's children, cases and events first when the
number of cases differs from --cases (or with --reseed): never point it at real data. Run it
once more after a seed: the process peak then includes the seed. The figures' digest (every
row of every breakdown) shows at a glance that a change left them all as they were; --profile
adds one run under cProfile and prints where its time went.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import random
import resource
import sys
import time
from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

DATABASE = "cmetrack_bench_census"
URL = os.environ.get("DATABASE_URL", "")
if urlparse(URL).scheme not in {"postgres", "postgresql"} or urlparse(URL).path != f"/{DATABASE}":
    sys.exit(f"Set DATABASE_URL to postgres://…/{DATABASE}: this benchmark uses no other database.")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cmetrack.cases.models import Case, CaseEvent, MissingReason  # noqa: E402
from cmetrack.cases.status import Status  # noqa: E402
from cmetrack.children.models import Child  # noqa: E402
from cmetrack.reports.selectors import build_return  # noqa: E402

LONDON = ZoneInfo("Europe/London")
CENSUS = date(2026, 10, 1)
FIRST_REFERRAL = date(2024, 9, 1)
LAST_REFERRAL = date(2026, 11, 30)


def at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=LONDON
    )


def seed(n: int, rng: random.Random) -> None:
    CaseEvent.objects.all().delete()
    Case.objects.all().delete()
    Child.objects.all().delete()
    reasons = list(MissingReason.objects.values_list("pk", "code", "label"))
    span = (LAST_REFERRAL - FIRST_REFERRAL).days
    children = Child.objects.bulk_create(
        [
            Child(
                forenames=f"Child{i}",
                surname=f"Bench{i % 997}",
                sex=rng.choice("FMU"),
                date_of_birth=date(2009, 9, 1) + timedelta(days=rng.randint(0, 4500)),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    cases: list[Case] = []
    timelines: list[list[tuple[str, date, dict[str, str]]]] = []
    for i, child in enumerate(children):
        referred = FIRST_REFERRAL + timedelta(days=rng.randint(0, span))
        reason = rng.choice(reasons)
        category = "at_risk" if rng.random() < 0.1 else "cme"
        status, day = "referred", referred
        events: list[tuple[str, date, dict[str, str]]] = []
        closed_on = None
        if rng.random() < 0.8:
            day += timedelta(days=rng.randint(1, 10))
            events.append(("status_changed", day, {"from": status, "to": "enquiries"}))
            status = "enquiries"
            if rng.random() < 0.15:
                new = rng.choice(reasons)
                day += timedelta(days=rng.randint(1, 30))
                events.append(("primary_reason_changed", day, {"from": reason[1], "to": new[1]}))
                reason = new
            if rng.random() < 0.05:
                new_category = "cme" if category == "at_risk" else "at_risk"
                day += timedelta(days=rng.randint(1, 30))
                events.append(("category_changed", day, {"from": category, "to": new_category}))
                category = new_category
            if rng.random() < 0.6:
                to = rng.choice(["located", "placed", "untraced", "transferred"])
                day += timedelta(days=rng.randint(5, 60))
                events.append(("status_changed", day, {"from": status, "to": to}))
                status = to
                if to != "transferred" and rng.random() < 0.6:
                    day += timedelta(days=rng.randint(5, 60))
                    closed_on = day
                    label = Status(status).label
                    events.append(
                        ("closed", day, {"closed_on": day.isoformat(), "from_label": str(label)})
                    )
                    status = "closed"
        cases.append(
            Case(
                child=child,
                category=category,
                status=status,
                primary_reason_id=reason[0],
                referral_date=referred,
                referral_source="school",
                reference=f"CME-C{i:07d}",
                date_last_attended=referred - timedelta(days=rng.randint(5, 40))
                if rng.random() < 0.7
                else None,
                outcome="on_roll_here" if closed_on else "",
                closed_on=closed_on,
                status_changed_on=day,
            )
        )
        timelines.append(events)
    Case.objects.bulk_create(cases, batch_size=5000)
    rows = [
        CaseEvent(case=case, kind="opened", occurred_at=at(case.referral_date, rng), payload={})
        for case in cases
    ]
    for case, events in zip(cases, timelines, strict=True):
        rows += [
            CaseEvent(case=case, kind=kind, occurred_at=at(day, rng), payload=payload)
            for kind, day, payload in events
        ]
    CaseEvent.objects.bulk_create(rows, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--profile", action="store_true", help="one more run, under cProfile")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.reseed or Case.objects.count() != args.cases:
        started = time.perf_counter()
        seed(args.cases, random.Random(args.seed))
        print(f"seeded {args.cases} cases in {time.perf_counter() - started:.0f} s")
    print(
        f"database: {connection.settings_dict['NAME']} ({connection.vendor}); "
        f"{Case.objects.count()} cases, {CaseEvent.objects.count()} timeline events"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings, cpu = [], []
    for _ in range(args.runs):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            report = build_return(Case.objects.all(), CENSUS)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    # The reader's transaction (BEGIN, COMMIT) is logged beside the queries: counted apart.
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in queries.captured_queries]
    reads = [sql for sql in statements if not sql.startswith(control)]
    print(
        f"return for {CENSUS}: best {min(timings):.2f} s, worst {max(timings):.2f} s over "
        f"{args.runs} runs (this process's own CPU time: best {min(cpu):.2f} s, worst "
        f"{max(cpu):.2f} s); {len(reads)} queries (+{len(statements) - len(reads)} transaction "
        f"statements); load average {os.getloadavg()[0]:.1f}"
    )
    digest = hashlib.sha256()
    for section in report.sections:
        print(f"  {section.title}: {section.total}")
        for breakdown in section.breakdowns:
            figures = ", ".join(f"{row.label} {row.count}" for row in breakdown.rows if row.count)
            print(f"    {breakdown.title}: {figures}")
            for row in breakdown.rows:
                line = f"{section.key}|{breakdown.title}|{row.label}|{row.dfe_code}|{row.count}"
                digest.update(f"{line}\n".encode())
    print(f"figures digest: {digest.hexdigest()[:16]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole process): {peak:.0f} MB ({before:.0f} MB before the first run)")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(build_return, Case.objects.all(), CENSUS)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
