"""Time a whole-authority key-stage transition check: load last summer's and this autumn's
rolls (LA-wide census-style CSVs) through the roll service, then run the check through the
cross-check service, as the pages do. Printed figures, not a test (issue 14).

The authority is `cmetrack.testing.cohorts.authority`: by default 130 primaries, 10 infant and
10 junior schools (30 a year) and 25 secondaries (160 a year): about 4,500 leavers against
about 46,000 pupils on the autumn rolls, with the generator's fates (moved on, renamed, a new
UPN with a typing error, missing, a missing twin).

    # SQLite: a fresh file, var/benchmarks/crosschecks/bench.sqlite3 (rebuilt each run)
    .venv/bin/python benchmarks/crosschecks/bench_transition.py

    # PostgreSQL: a database of its own, made once; the script empties it (flush) each run
    createdb -h 127.0.0.1 -U postgres cmetrack_bench_crosschecks
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmetrack_bench_crosschecks \\
        .venv/bin/python benchmarks/crosschecks/bench_transition.py

Refuses any DATABASE_URL whose database is not named `cmetrack_bench_crosschecks`. Peak memory
is the process's high-water mark (`ru_maxrss`).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
SQLITE_FILE = ROOT / "var" / "benchmarks" / "crosschecks" / "bench.sqlite3"
DATABASE = "cmetrack_bench_crosschecks"


def _database_url() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
        return
    if urlparse(url).path.lstrip("/") != DATABASE:
        sys.exit(f"Refusing to run: DATABASE_URL must name the database {DATABASE}.")


_database_url()
os.environ["DJANGO_SETTINGS_MODULE"] = "cmetrack.settings.test"  # immediate tasks, no mail

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cmetrack.accounts.models import Organisation, User  # noqa: E402
from cmetrack.crosschecks.kinds import CheckKind  # noqa: E402
from cmetrack.crosschecks.models import CandidateState, CrossCheckRun  # noqa: E402
from cmetrack.crosschecks.people import identity_of  # noqa: E402
from cmetrack.crosschecks.services import CheckRequest, crosscheck_start  # noqa: E402
from cmetrack.rolls.services import roll_load  # noqa: E402
from cmetrack.schools.models import School  # noqa: E402
from cmetrack.testing.cohorts import AUTUMN, LA, SUMMER, authority  # noqa: E402
from cmetrack.testing.roll_files import census_csv  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--primaries", type=int, default=130)
    parser.add_argument("--infants", type=int, default=10)
    parser.add_argument("--juniors", type=int, default=10)
    parser.add_argument("--secondaries", type=int, default=25)
    parser.add_argument("--per-year", type=int, default=30)
    parser.add_argument("--secondary-per-year", type=int, default=160)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    team = Organisation.objects.create(kind=Organisation.Kind.LA_TEAM, name="Bench CME team")
    officer = User.objects.create_user(
        username="bench-officer",
        password="x" * 20,
        role=User.Role.CME_OFFICER,
        organisation=team,
    )
    started = time.perf_counter()
    cohort = authority(
        seed=args.seed,
        primaries=args.primaries,
        infants=args.infants,
        juniors=args.juniors,
        secondaries=args.secondaries,
        per_year=args.per_year,
        secondary_per_year=args.secondary_per_year,
    )
    School.objects.bulk_create(
        School(urn=s.urn, la_code=LA, establishment_number=s.estab, name=s.name)
        for s in cohort.schools
    )
    summer, autumn = census_csv(cohort.summer), census_csv(cohort.autumn)
    print(f"database          {connection.vendor}")
    print(f"schools           {len(cohort.schools):,}")
    print(f"summer pupils     {len(cohort.summer):,}  ({len(summer) / 1e6:.1f} MB CSV)")
    print(f"autumn pupils     {len(cohort.autumn):,}  ({len(autumn) / 1e6:.1f} MB CSV)")
    print(f"leavers           {len(cohort.fates):,}")
    print(f"generate          {time.perf_counter() - started:6.1f} s")

    for name, content, as_of in (("summer", summer, SUMMER), ("autumn", autumn, AUTUMN)):
        t = time.perf_counter()
        roll_load(content=content, filename=f"{name}.csv", by=officer, as_of=as_of)
        print(f"load {name:<12} {time.perf_counter() - t:6.1f} s")

    t = time.perf_counter()
    run = crosscheck_start(
        request=CheckRequest(
            kind=CheckKind.TRANSITION, check_on=timezone.localdate(), leavers_on=SUMMER
        ),
        by=officer,
    )
    seconds = time.perf_counter() - t
    run = CrossCheckRun.objects.get(pk=run.pk)
    print(f"transition check  {seconds:6.1f} s  ({run.state})")
    found = set(run.candidates.filter(state=CandidateState.OPEN).values_list("identity", flat=True))
    truth = {
        identity_of(p.upn, p.forename, p.surname, p.date_of_birth)
        for p in cohort.leavers(
            ("missing", "twin_missing", "left_area", "home_educated", "cme_case")
        )
    }
    hits = len(found & truth)
    print(f"candidates        {len(found):,}  (truly on no roll: {len(truth):,})")
    print(f"recall            {hits / len(truth):.4f}" if truth else "recall            -")
    print(f"precision         {hits / len(found):.4f}" if found else "precision         -")
    print(f"found             {run.summary.get('found')}")
    fate_of = {
        identity_of(p.upn, p.forename, p.surname, p.date_of_birth): cohort.fates[i]
        for i, p in enumerate(cohort.summer)
        if i in cohort.fates
    }
    missed: dict[str, int] = {}
    for identity in truth - found:
        missed[fate_of[identity]] = missed.get(fate_of[identity], 0) + 1
    print(f"missed, by fate   {missed}")
    print(f"peak memory       {_peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
