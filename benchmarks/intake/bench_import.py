"""Time validate (upload + preview) and commit of bulk returns through the real import service.

Printed figures, not a test (issue 3, "Speed": 10,000 rows and a 5,000-pupil CTF each in
under 10 s on PostgreSQL, peak memory under 500 MB).

    # SQLite: a fresh file, var/benchmarks/intake/bench.sqlite3 (deleted and rebuilt each run)
    .venv/bin/python benchmarks/intake/bench_import.py

    # PostgreSQL: a database of its own, made once (the script never creates or drops one)
    createdb -h 127.0.0.1 -U postgres cmetrack_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cmetrack_bench \\
        .venv/bin/python benchmarks/intake/bench_import.py

Refuses any DATABASE_URL whose database is not named `cmetrack_bench…` (it deletes rows). It
migrates the database, then builds what a real authority has: 100 schools (URN 104000-104099,
plus the CTF's source school 104777), 500 known children matching file rows by UPN and 200 by
name and date of birth, 100 of them with an open case (so the likely-duplicate check finds
something and the import writes timeline lines). Then, as a CME officer:

1. a 10,000-row CSV (half deletions, half new pupils across the 100 schools, about 1% bad rows)
   -> `import_upload` (keeps the file, parses, checks every row: "validate") ->
   `import_commit(valid_only=True)` (re-reads the kept file, checks again, writes);
2. a 5,000-pupil CTF (new-pupil returns at one school), the same way.

Before and after, it deletes only what it made: its schools, organisation, user, children,
cases, imports and their returns and audit entries. Peak memory is the process's high-water mark
(`ru_maxrss`): interpreter, Django, both files and everything the service held.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SQLITE_FILE = ROOT / "var" / "benchmarks" / "intake" / "bench.sqlite3"
URNS = [str(104000 + i) for i in range(100)]
CTF_URN = "104777"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_FILE}"
        os.environ["DATABASE_URL"] = url
        return url
    name = urlparse(url).path.lstrip("/")
    if not name.startswith("cmetrack_bench"):
        sys.exit(f"Refusing to run against database {name!r}: use one named cmetrack_bench.")
    return url


_database_url()
os.environ["DJANGO_SETTINGS_MODULE"] = "cmetrack.settings.test"  # fast hashing, no mail, no DEBUG
sys.path.insert(0, str(HERE))

import django  # noqa: E402

django.setup()

from auditlog.models import LogEntry  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from generate import FORENAMES, SURNAMES, csv_rows, write_ctf  # noqa: E402

from cmetrack.accounts.models import Organisation, User  # noqa: E402
from cmetrack.cases.models import Case, CaseEvent, MissingReason  # noqa: E402
from cmetrack.children.models import Child  # noqa: E402
from cmetrack.referrals.imports import import_commit, import_upload  # noqa: E402
from cmetrack.referrals.models import ImportBatch, Submission  # noqa: E402
from cmetrack.schools.models import School  # noqa: E402

BENCH_USER = "bench-intake-officer"
BENCH_ORG = "Benchmark CME team (intake)"
CASE_PREFIX = "CME-BNCH-"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def clean() -> None:
    """Delete what an earlier run made, and nothing else."""
    user = User.objects.filter(username=BENCH_USER).first()
    if user is not None:
        batches = ImportBatch.objects.filter(uploaded_by=user)
        Submission.objects.filter(import_batch__in=batches).delete()
        batches.delete()
        LogEntry.objects.filter(actor=user).delete()
    cases = Case.objects.filter(reference__startswith=CASE_PREFIX)
    CaseEvent.objects.filter(case__in=cases).delete()
    cases.delete()
    Child.objects.filter(surname__startswith="Benchknown").delete()
    # The known-by-name children carry a row's own name and date of birth, and no UPN.
    Child.objects.filter(upn="", forenames__in=FORENAMES, surname__in=SURNAMES).delete()
    User.objects.filter(username=BENCH_USER).delete()
    Organisation.objects.filter(name=BENCH_ORG).delete()
    School.objects.filter(urn__in=[*URNS, CTF_URN]).delete()


def build(rows: list[dict[str, str]]) -> User:
    School.objects.bulk_create(
        [
            School(
                urn=urn,
                la_code="343",
                la_name="Sefton",
                establishment_number=f"{2000 + i:04d}",
                name=f"Benchmark School {i}",
                is_open=True,
            )
            for i, urn in enumerate([*URNS, CTF_URN])
        ]
    )
    org = Organisation.objects.create(kind=Organisation.Kind.LA_TEAM, name=BENCH_ORG)
    user = User.objects.create(
        username=BENCH_USER, role=User.Role.CME_OFFICER, organisation=org, email=""
    )
    from cmetrack.referrals.importing.values import parse_date

    known: list[Child] = []
    for i in range(0, len(rows), 20):  # 500 by UPN (the file's own UPN, a different name)
        known.append(
            Child(
                forenames=rows[i]["forename"],
                surname=f"Benchknown{i}",
                upn=rows[i]["upn"],
                date_of_birth=parse_date(rows[i]["date_of_birth"]) or None,
            )
        )
    for i in range(7, len(rows), 50):  # 200 by name and date of birth, no UPN recorded
        dob = parse_date(rows[i]["date_of_birth"])
        if dob is None:
            continue
        known.append(
            Child(forenames=rows[i]["forename"], surname=rows[i]["surname"], date_of_birth=dob)
        )
    Child.objects.bulk_create(known, batch_size=1000)
    reason = MissingReason.objects.first()
    assert reason is not None
    today = timezone.localdate()
    with_case = Child.objects.filter(surname__startswith="Benchknown").order_by("pk")[:100]
    Case.objects.bulk_create(
        [
            Case(
                child=child,
                status="enquiries",
                primary_reason=reason,
                referral_date=today - timedelta(days=10),
                referral_source="school",
                reference=f"{CASE_PREFIX}{n:04d}",
            )
            for n, child in enumerate(with_case)
        ]
    )
    return user


def run(label: str, data: bytes, filename: str, user: User) -> None:
    t0 = time.perf_counter()
    batch, preview = import_upload(data=data, filename=filename, by=user)
    t1 = time.perf_counter()
    assert preview is not None, batch.summary
    batch = import_commit(batch=batch, valid_only=True, by=user)
    t2 = time.perf_counter()
    lines = CaseEvent.objects.filter(
        case__reference__startswith=CASE_PREFIX, kind="submission_received"
    ).count()
    print(
        f"{label:<28} {len(preview.rows):>6} rows  {len(preview.errors):>4} errors  "
        f"{len(preview.duplicates):>4} likely dup.  validate {t1 - t0:6.2f} s  "
        f"commit {t2 - t1:6.2f} s  total {t2 - t0:6.2f} s  "
        f"committed {batch.summary['committed']}  timeline lines so far {lines}  "
        f"peak {peak_mb():.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--pupils", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true", help="leave the data for a look")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    rows = csv_rows(
        args.rows,
        random.Random(3),
        schools=len(URNS),
        deletion_date=(today + timedelta(days=7)).isoformat(),
        start_date=(today - timedelta(days=10)).strftime("%d/%m/%Y"),
    )
    import csv
    import io

    from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_bytes = out.getvalue().encode()
    ctf_path = SQLITE_FILE.parent / f"ctf_{args.pupils}.xml"
    ctf_path.parent.mkdir(parents=True, exist_ok=True)
    write_ctf(ctf_path, count=args.pupils)
    ctf_bytes = ctf_path.read_bytes().replace(
        b"<URN>104777</URN>", f"<URN>{CTF_URN}</URN>".encode()
    )
    # The CTF's pupils have the UPNs of the CSV's first rows (generate.upn): the same children
    # reported again, as when a pupil leaves one school and joins another.
    clean()
    user = build(rows)
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"{School.objects.filter(urn__in=URNS).count()} schools, "
        f"{Child.objects.count()} children, "
        f"{Case.objects.filter(reference__startswith=CASE_PREFIX).count()} open cases; "
        f"Python {sys.version.split()[0]}"
    )
    try:
        run(f"CSV {len(csv_bytes) / 1e6:.1f} MB", csv_bytes, "returns.csv", user)
        run(f"CTF {len(ctf_bytes) / 1e6:.1f} MB", ctf_bytes, "ctf.xml", user)
    finally:
        if not args.keep:
            clean()
    print(f"peak memory (whole process, ru_maxrss): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
