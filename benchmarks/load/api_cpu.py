"""CPU and queries per API deletion return, one request at a time (issue 15's load figure, taken
apart): what one `POST /api/v1/deletion-returns/` costs this process, whatever the neighbours.

    .venv/bin/python benchmarks/load/api_cpu.py [--database-url …] [--requests 100] [--profile 25]

Through Django's test client in this process, against the seeded load database (seed.py), with
what production uses for the two things the test settings swap out: the database cache (the
rate limit's counters, when the throttle uses the cache) and the database task backend (the
acknowledgement e-mail is queued for the worker, not sent inline). One token for the first
school account is issued for the run and revoked after it. After `--warm-up` requests it sends
`--requests` valid deletion returns (as api_locustfile.py makes them) and prints the median and
mean CPU time of this process per request, and the queries each made; `--profile N` then prints
cProfile's top N functions by cumulative time over those requests. Run seed.py
--clear-load-returns afterwards (run_api_load.py does) to remove the returns it sent.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

import benchdb


def deletion_return() -> dict[str, Any]:
    """A valid deletion return as api_locustfile.py sends it (importing that file would load
    locust, which patches this process for gevent)."""
    from cmetrack.core.upn import upn_check_letter

    today = date.today()
    dob = today - timedelta(days=random.randint(6 * 365, 15 * 365))
    ground = random.choice("cfgo")
    body: dict[str, Any] = {
        "forenames": random.choice(["Amelia", "Olivia", "Noah", "Jack"]),
        "surname": f"Example-{random.randint(1, 10**6)}",
        "date_of_birth": dob.isoformat(),
        "sex": random.choice("FM"),
        "address_line_1": f"{random.randint(1, 180)} Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        "parent_names": "Jo Example",
        "emergency_phone": f"07700 900{random.randint(0, 999):03d}",
        "ground": ground,
        "deletion_date": (today + timedelta(days=random.randint(0, 2))).isoformat(),
    }
    if random.random() < 0.7:
        digits = f"343{random.randint(2000, 2999)}{dob.year % 100 + 4:02d}"
        digits += f"{random.randint(0, 999):03d}"
        body["upn"] = upn_check_letter(digits) + digits
    if ground == "g":
        body["new_school_name"] = "St Example's, Wigan"
    return body


# The steps of a call, timed when --phases is given: (label, module, function). Nested steps
# count in their parent's time too.
PHASES = [
    ("token authentication", "cmetrack.api.authentication", "TokenAuthentication.authenticate"),
    ("  exchange peer lookup", "cmetrack.api.authentication", "signing_secret_for"),
    ("rate limit", "cmetrack.api.throttling", "TokenRateThrottle.allow_request"),
    ("form construction", "cmetrack.referrals.forms.returns", "DeletionReturnForm.__init__"),
    ("form check", "django.forms.forms", "BaseForm.full_clean"),
    ("save_return", "cmetrack.referrals.services.deletion", "save_return"),
    ("  open-case lookup", "cmetrack.referrals.services.common", "touch_open_case"),
    ("  acknowledgement e-mail", "cmetrack.referrals.services.common", "acknowledge"),
    ("the call's audit entry", "cmetrack.api.views", "_record_call"),
]


def time_phases() -> dict[str, list[float]]:
    """Wrap each PHASES function to add its CPU time to a list, per label."""
    import functools
    import importlib

    spent: dict[str, list[float]] = {}
    for label, module_name, name in PHASES:
        owner: Any = importlib.import_module(module_name)
        *path, attr = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, attr)
        times = spent.setdefault(label, [])

        def timed(*a: Any, _f: Any = original, _t: list[float] = times, **k: Any) -> Any:
            started = time.process_time()
            try:
                return _f(*a, **k)
            finally:
                _t.append(time.process_time() - started)

        setattr(owner, attr, functools.wraps(original)(timed))
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=benchdb.DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument(
        "--phases", action="store_true", help="CPU per request in each step (PHASES), measured"
    )
    parser.add_argument(
        "--production-settings",
        action="store_true",
        help="cmetrack.settings.production (JSON logs, WhiteNoise, the connection pool)",
    )
    args = parser.parse_args()
    if args.production_settings:
        import os
        import secrets

        os.environ.setdefault("CMETRACK_SECRET_KEY", secrets.token_urlsafe(50))
        os.environ.setdefault("CMETRACK_REQUIRE_2FA", "0")
        os.environ.setdefault("CMETRACK_SSL_REDIRECT", "0")
    benchdb.setup_django(
        benchdb.check_bench_url(args.database_url),
        "cmetrack.settings.production" if args.production_settings else "cmetrack.settings.test",
    )
    import json

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment

    from cmetrack.accounts.models import User
    from cmetrack.api.tokens import api_token_issue, api_token_revoke

    setup_test_environment()
    spent = time_phases() if args.phases else {}
    from api_tokens import bench_admin

    admin = bench_admin()
    school = User.objects.get(username=benchdb.school_username(1))
    production_like = override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "cmetrack_cache",
                "OPTIONS": {"MAX_ENTRIES": 100_000},
            }
        },
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        CMETRACK_API_RATE="100000/min",
    )
    token, plain = api_token_issue(
        user=school, name="api cpu benchmark", scopes=["submit"], days=1, by=admin
    )
    client = Client(headers={"Authorization": f"Bearer {plain}"})

    def send() -> int:
        answer = client.post(
            "/api/v1/deletion-returns/", json.dumps(deletion_return()), "application/json"
        )
        assert answer.status_code == 201, answer.content[:300]
        return answer.status_code

    try:
        with production_like:
            for _ in range(args.warm_up):
                send()
            cpu: list[float] = []
            queries: list[int] = []
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as seen:
                    started = time.process_time()
                    send()
                    cpu.append((time.process_time() - started) * 1000)
                queries.append(len(seen.captured_queries))
            last = [q["sql"][:160] for q in seen.captured_queries]
            for times in spent.values():
                times.clear()  # the warm-up's and the measured ones' own: measure again
            for _ in range(args.requests if spent else 0):
                send()
            if args.profile:
                profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
                profiler.enable()
                for _ in range(args.requests):
                    send()
                profiler.disable()
    finally:
        api_token_revoke(token=token, by=admin)
    print(
        f"{args.requests} deletion returns: CPU median {statistics.median(cpu):.1f} ms, "
        f"lowest {min(cpu):.1f} ms, "
        f"mean {statistics.fmean(cpu):.1f} ms; queries median {statistics.median(queries):.0f}"
        f" (min {min(queries)}, max {max(queries)})"
    )
    if spent:
        print(f"\nCPU per request in each step (mean over {args.requests}, wrapped):")
        for label, times in spent.items():
            print(f"  {label:<28} {sum(times) / args.requests * 1000:5.2f} ms")
    print("\nthe last request's queries:")
    for sql in last:
        print("  " + sql)
    if args.profile:
        print(f"\ncProfile, cumulative over {args.requests} requests:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
