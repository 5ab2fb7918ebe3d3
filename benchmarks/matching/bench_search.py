"""Candidate search latency: `selectors.candidates_for` against N children in a throwaway database.

    # SQLite (a file in /tmp, deleted at the end unless --keep)
    python benchmarks/matching/bench_search.py --children 1000000 --sqlite /tmp/match_bench.db
    # PostgreSQL (the database is created, and dropped at the end unless --keep)
    python benchmarks/matching/bench_search.py --children 1000000 \
        --postgres postgres://postgres@127.0.0.1:5432/cmetrack_match_bench

Bulk-loads N synthetic children (generate.py's distribution), one current address each and their
match keys (keys.py, exactly as the signal handlers store them), then times `candidates_for` for
--queries searches: noisy copies of loaded children, twins/siblings of them and children on no
roll, in the generator's proportions. Prints load time and p50/p95/p99/max latency per search.
With --keep and an existing database, loading is skipped.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _configure(args: argparse.Namespace) -> str:
    url = args.postgres or f"sqlite:///{args.sqlite}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cmetrack.settings.test")
    return url


def _create_postgres(url: str) -> bool:
    """Create the database if it is missing; True if it was created."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        con.execute(f'CREATE DATABASE "{name}"')
    return True


def _drop_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')


_TABLES = {
    "children_child": [
        "id", "public_id", "forenames", "surname", "date_of_birth", "sex", "upn",
        "first_language", "ethnicity", "sen_status", "merged_into_id", "created_at", "updated_at",
        "version",
    ],
    "children_address": [
        "id", "child_id", "state", "line_1", "line_2", "town", "postcode", "postcode_raw",
        "country", "date_from", "date_to",
    ],
    "matching_childmatchkey": ["id", "child_id", "key"],
}  # fmt: skip


def _rows(chunk: list, first_pk: int, key_pk: int, now: datetime) -> tuple[dict, int]:
    from cmetrack.matching.keys import blocking_keys

    rows: dict[str, list[tuple]] = {table: [] for table in _TABLES}
    for offset, p in enumerate(chunk):
        pk = first_pk + offset
        rows["children_child"].append(
            (pk, uuid.uuid4(), p.first_name, p.last_name, p.dob, p.sex, p.upn, "", "", "", None,
             now, now, 1)
        )  # fmt: skip
        rows["children_address"].append(
            (pk, pk, "known", "", "", "", p.postcode, p.postcode, "", None, None)
        )
        for key in sorted(
            blocking_keys(
                forenames=[p.first_name],
                surnames=[p.last_name],
                date_of_birth=p.dob,
                upns=[p.upn],
                postcodes=[p.postcode],
            )
        ):
            rows["matching_childmatchkey"].append((key_pk, pk, key))
            key_pk += 1
    return rows, key_pk


def _load(n: int, seed: int, batch: int = 50_000) -> list:
    """Bulk insert, bypassing the ORM (executemany on SQLite, COPY on PostgreSQL): the same rows
    the signal handlers would store, much faster."""
    from django.db import connection, transaction
    from generate import _child

    rng = random.Random(seed)
    people = []
    started = time.perf_counter()
    now = datetime.now(UTC)
    key_pk = 1
    for start in range(0, n, batch):
        chunk = [_child(rng, i, "R") for i in range(start, min(n, start + batch))]
        people.extend(chunk)
        rows, key_pk = _rows(chunk, start + 1, key_pk, now)
        with transaction.atomic(), connection.cursor() as cursor:
            for table, columns in _TABLES.items():
                names = ", ".join(f'"{c}"' for c in columns)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in rows[table]:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                        [
                            tuple(v.hex if isinstance(v, uuid.UUID) else v for v in row)
                            for row in rows[table]
                        ],
                    )
        done = min(n, start + batch)
        if done % 200_000 == 0 or done == n:
            print(f"  loaded {done:,} children in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in _TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    print(f"Loaded {n:,} children and {key_pk - 1:,} keys in {time.perf_counter() - started:.0f} s")
    return people


def _queries(people: list, count: int, seed: int) -> list[dict]:
    from generate import _child, _noisy, _twin

    rng = random.Random(seed + 1)
    out = []
    for i in range(count):
        draw = rng.random()
        if draw < 0.60:
            p = _noisy(rng, rng.choice(people), f"Q{i}")
        elif draw < 0.75:
            p = _twin(rng, rng.choice(people), f"Q{i}", same_dob=rng.random() < 0.6)
        else:
            p = _child(rng, 10_000_000 + i, "Q")
        out.append(
            {
                "forenames": p.first_name,
                "surname": p.last_name,
                "date_of_birth": p.dob,
                "upn": p.upn,
                "postcode": p.postcode,
                "sex": p.sex,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", type=Path)
    where.add_argument("--postgres")
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database for another run")
    args = parser.parse_args()
    url = _configure(args)
    created = True
    if args.postgres:
        created = _create_postgres(url)
    elif args.sqlite.exists():
        created = False

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from generate import _child

    from cmetrack.accounts.models import User
    from cmetrack.matching.selectors import candidates_for

    try:
        if created:
            call_command("migrate", verbosity=0)
            people = _load(args.children, args.seed)
        else:
            print("Database exists: not loading (rebuilding the people list only)")
            rng = random.Random(args.seed)
            people = [_child(rng, i, "R") for i in range(args.children)]
        queries = _queries(people, args.queries, args.seed)
        # A web process does not hold a million records: drop them, or the garbage collector's
        # full passes over them show up as half-second pauses in the searches timed.
        del people
        gc.collect()
        officer = User(role=User.Role.CME_OFFICER, is_active=True)
        for q in queries[:20]:  # warm caches and the connection
            candidates_for(user=officer, **q)
        times: list[float] = []
        found = 0
        for q in queries:
            started = time.perf_counter()
            found += len(candidates_for(user=officer, **q))
            times.append(1000 * (time.perf_counter() - started))
        times.sort()
        cuts = statistics.quantiles(times, n=100)
        print(
            f"{connection.vendor}, {args.children:,} children, {len(queries)} searches "
            f"({found} candidates shown): p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, "
            f"p99 {cuts[98]:.1f} ms, max {times[-1]:.1f} ms"
        )
    finally:
        connection.close()
        if not args.keep:
            if args.postgres:
                _drop_postgres(url)
            elif args.sqlite.exists():
                args.sqlite.unlink()


if __name__ == "__main__":
    main()
