"""How long the managers' dashboard's figures take over 10,000 cases (issue 10: < 500 ms).

Seeds a synthetic authority straight into its own PostgreSQL database, cmetrack_bench_dash
(bulk inserts: benchmark data, not casework, so it bypasses the services on purpose): 10,000
children and cases over two years, current and past addresses, flags, placements and closures
in the timeline, open and done tasks, and 2,000 deletion returns from 60 schools. Then times
reports.dashboard_selectors.manager_dashboard, everything the page reads, for the twelve months
to the end of this one, and prints its query count. Not a test.

    createdb -h 127.0.0.1 -U postgres cmetrack_bench_dash   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmetrack_bench_dash \
        .venv/bin/python benchmarks/manager_dashboard.py --cases 10000

It refuses any other database, and wipes that one's children, cases, returns and users first
when the number of cases differs from --cases (or with --reseed): never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

DATABASE = "cmetrack_bench_dash"
URL = os.environ.get("DATABASE_URL", "")
if urlparse(URL).scheme not in {"postgres", "postgresql"} or urlparse(URL).path != f"/{DATABASE}":
    sys.exit(f"Set DATABASE_URL to postgres://…/{DATABASE}: this benchmark uses no other database.")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cmetrack.accounts.models import Organisation, User  # noqa: E402
from cmetrack.cases.models import Case, CaseEvent, MissingReason, Task  # noqa: E402
from cmetrack.children.models import Address, Child, ChildFlag, VulnerabilityFlagType  # noqa: E402
from cmetrack.referrals.models import DeletionReturn, Kind, Submission  # noqa: E402
from cmetrack.reports.dashboard_selectors import default_period, manager_dashboard  # noqa: E402
from cmetrack.reports.dashboard_views import chart_for  # noqa: E402
from cmetrack.schools.models import School  # noqa: E402

LONDON = ZoneInfo("Europe/London")
DISTRICTS = ["L20", "L21", "L22", "L23", "L30", "L31", "L37", "PR8", "PR9"]


def at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), tzinfo=LONDON
    )


def seed(n: int, rng: random.Random, today: date) -> None:
    Task.objects.all().delete()
    CaseEvent.objects.all().delete()
    Submission.objects.all().delete()
    Case.objects.all().delete()
    Child.objects.all().delete()
    User.objects.filter(username__startswith="bench-").delete()
    School.objects.filter(urn__startswith="98").delete()
    team, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.LA_TEAM, name="Bench CME team", defaults={"la_code": "343"}
    )
    officers = [
        User.objects.create_user(
            username=f"bench-officer-{i}",
            first_name=f"Officer{i}",
            last_name="Bench",
            role=User.Role.CME_OFFICER,
            organisation=team,
        )
        for i in range(12)
    ]
    User.objects.create_user(
        username="bench-manager", role=User.Role.CME_MANAGER, organisation=team
    )
    schools = School.objects.bulk_create(
        [
            School(
                urn=f"98{i:04d}",
                la_code="343",
                la_name="Sefton",
                establishment_number=f"{3000 + i}",
                name=f"Bench School {i}",
                phase="Primary",
                type_name="Community school",
                status_name="Open",
                is_open=True,
                postcode="L20 7AE",
            )
            for i in range(60)
        ]
    )
    reasons = list(MissingReason.objects.values_list("pk", flat=True))
    flags = list(VulnerabilityFlagType.objects.values_list("pk", flat=True))
    first = today - timedelta(days=730)
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
    addresses: list[Address] = []
    child_flags: list[ChildFlag] = []
    cases: list[Case] = []
    placements: list[tuple[int, date]] = []
    for i, child in enumerate(children):
        district = rng.choice(DISTRICTS)
        if rng.random() < 0.3:
            addresses.append(
                Address(
                    child=child,
                    postcode=f"{rng.choice(DISTRICTS)} 1AB",
                    date_to=today - timedelta(days=rng.randint(30, 400)),
                )
            )
        if rng.random() < 0.9:
            addresses.append(Address(child=child, postcode=f"{district} {rng.randint(1, 9)}AB"))
        if flags and rng.random() < 0.3:
            child_flags.append(ChildFlag(child=child, flag_type_id=rng.choice(flags)))
        referred = first + timedelta(days=rng.randint(0, 720))
        placed_on = referred + timedelta(days=rng.choice([2, 5, 10, 20, 30, 45, 60, 100]))
        placed = placed_on < today and rng.random() < 0.6
        closed_on = placed_on + timedelta(days=rng.randint(10, 90)) if placed else None
        if closed_on is not None and (closed_on >= today or rng.random() < 0.3):
            closed_on = None
        if placed:
            placements.append((i, placed_on))
        status = "closed" if closed_on else ("placed" if placed else "enquiries")
        cases.append(
            Case(
                child=child,
                status=status,
                primary_reason_id=rng.choice(reasons),
                referral_date=referred,
                referral_source="school",
                reference=f"CME-D{i:07d}",
                last_school=rng.choice(schools) if rng.random() < 0.8 else None,
                assigned_to=rng.choice(officers),
                outcome="on_roll_here" if closed_on else "",
                closed_on=closed_on,
            )
        )
    Address.objects.bulk_create(addresses, batch_size=5000)
    ChildFlag.objects.bulk_create(child_flags, batch_size=5000)
    Case.objects.bulk_create(cases, batch_size=5000)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=cases[i],
                kind="status_changed",
                occurred_at=at(day, rng),
                payload={"from": "enquiries", "to": "placed"},
            )
            for i, day in placements
        ]
        + [
            CaseEvent(case=case, kind="opened", occurred_at=at(case.referral_date, rng), payload={})
            for case in cases
        ],
        batch_size=10_000,
    )
    tasks: list[Task] = []
    for i, case in enumerate(cases):
        for _ in range(rng.randint(1, 4)):
            due = case.referral_date + timedelta(days=rng.randint(1, 120))
            done = rng.random() < 0.7
            tasks.append(
                Task(
                    case=case,
                    kind="manual",
                    title="Follow up",
                    due_on=due,
                    assigned_to=rng.choice(officers) if rng.random() < 0.9 else None,
                    done_at=at(due, rng) if done else None,
                    rule_key=f"bench-{i}-{len(tasks)}",
                )
            )
    Task.objects.bulk_create(tasks, batch_size=10_000)
    # Multi-table inheritance (Submission): no bulk_create, one insert pair a return.
    for i in range(n // 5):
        on = first + timedelta(days=rng.randint(0, 730))
        DeletionReturn.objects.create(
            kind=Kind.DELETION,
            reference=f"DR-B{i:07d}",
            school=rng.choice(schools),
            ground=rng.choice("aaaagfo"),
            deletion_date=on,
            forenames="Synthetic",
            surname="Pupil",
            late_school_days=rng.choice([None, None, None, 1, 3, 8]),
            destination_due=on + timedelta(days=10) if rng.random() < 0.4 else None,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if args.reseed or Case.objects.count() != args.cases:
        started = time.perf_counter()
        with transaction.atomic():
            seed(args.cases, random.Random(args.seed), today)
        print(f"seeded {args.cases} cases in {time.perf_counter() - started:.0f} s")
    print(
        f"database: {connection.settings_dict['NAME']} ({connection.vendor}); "
        f"{Case.objects.count()} cases, {Task.objects.count()} tasks, "
        f"{CaseEvent.objects.count()} timeline events, "
        f"{DeletionReturn.objects.count()} deletion returns"
    )
    manager = User.objects.get(username="bench-manager")
    period = default_period(today)
    timings = []
    for _ in range(args.runs):
        reset_queries()  # the seeding's queries overflow Django's log of them
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            dashboard = manager_dashboard(user=manager, period=period, today=today)
            timings.append(time.perf_counter() - started)
    assert dashboard is not None
    print(
        f"dashboard for {period.label}: best {min(timings) * 1000:.0f} ms, worst "
        f"{max(timings) * 1000:.0f} ms over {args.runs} runs; "
        f"{len(queries.captured_queries)} queries; load average {os.getloadavg()[0]:.1f}"
    )
    started = time.perf_counter()
    for table in dashboard.tables:
        chart_for(table)
    print(f"drawing its ten charts (pygal): {(time.perf_counter() - started) * 1000:.0f} ms")
    print(
        f"  open cases today {dashboard.open_now}; median days to placement "
        f"{dashboard.median_days_to_placement}"
    )
    for table in dashboard.tables:
        print(f"  {table.title}: {len(table.rows)} rows, first column total {table.total()}")


if __name__ == "__main__":
    main()
