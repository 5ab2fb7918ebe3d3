"""CPU per page at 50,000 cases, one request at a time: what a page costs, whatever the neighbours.

    .venv/bin/python benchmarks/load/page_cpu.py [--database-url …] [--repeat 7]

The load run's latencies move with everything else the machine is doing; CPU time does not (much).
Each page is asked for through Django's test client in this process, signed in as the officer
with the most cases (as explain_queries.py), `--repeat` times after one warm-up request; for each
it prints the median of this process's CPU time (the application: views, selectors, templates)
and of the PostgreSQL backend's CPU time for the same request (`/proc/<pid>/stat` of
`pg_backend_pid()`, so PostgreSQL must be on this machine). Test settings (benchdb.setup_django):
DEBUG off, templates cached. Pages that record a view (search, case page) add audit entries,
which `seed.py --clear-load-returns` (run by run_load.py) removes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import benchdb

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are the 14th and 15th fields of the whole line (12th, 13th after the name).
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/cmetrack_bench_load_50k"
    )
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    benchdb.setup_django(benchdb.check_bench_url(args.database_url))
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cmetrack.accounts.models import User
    from cmetrack.cases.models import Case

    setup_test_environment()
    officer = (
        User.objects.filter(role=User.Role.CME_OFFICER)
        .annotate(n=Count("assigned_cases"))
        .order_by("-n")
        .first()
    )
    assert officer is not None, "seed the database first"
    client = Client()
    client.force_login(officer)
    case = Case.objects.filter(assigned_to=officer).order_by("-referral_date").first()
    assert case is not None
    searched = client.post("/cases/", {"q": "Smith"})
    search_url = searched["Location"]
    pages = {
        "dashboard": "/",
        "case list": "/cases/",
        "case list, open only": "/cases/?open_only=true",
        "case list, page 20": "/cases/?page=20",
        "case list, search by surname": search_url,
        "case page": f"/cases/{case.public_id}/",
        "tasks, mine, overdue": "/tasks/?show=overdue&who=me",
        "tasks, team, overdue": "/tasks/?show=overdue&who=team",
        "tasks, team, this week": "/tasks/?show=week&who=team",
        "incoming queue": "/intake/incoming/",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    print(f"officer {officer.username}; {args.repeat} requests a page after one warm-up")
    print("\n| page | app CPU ms (median) | PostgreSQL CPU ms (median) | bytes |")
    print("|---|---:|---:|---:|")
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url
        app, db = [], []
        size = 0
        for _ in range(args.repeat):
            before_app, before_db = time.process_time(), backend_cpu_seconds(backend)
            response = client.get(url)
            app.append(time.process_time() - before_app)
            db.append(backend_cpu_seconds(backend) - before_db)
            assert response.status_code == 200, url
            size = len(response.content)
        print(
            f"| {name} | {statistics.median(app) * 1000:.0f} | "
            f"{statistics.median(db) * 1000:.0f} | {size:,} |"
        )


if __name__ == "__main__":
    main()
