"""API tokens for the API load benchmark: `tokens` per school account, written one a line.

    .venv/bin/python benchmarks/load/api_tokens.py --out var/benchmarks/load/api-tokens.txt

Tokens are issued through `api_token_issue` (the service `cmetrack api-token issue` calls) by
the benchmark's own administrator, made here once in the LA team if the seed has none. The
plain tokens are written to a file only the current user can read; the run's tokens are revoked
by the next call, so the database never holds more than one run's worth.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import benchdb

ADMIN = "bench-admin"
TOKEN_NAME = "load benchmark"  # noqa: S105 - a label, not a secret


def bench_admin() -> Any:
    """The benchmark's administrator, who issues the tokens: made in the LA team if missing."""
    from cmetrack.accounts.models import Organisation, User

    admin = User.objects.filter(username=ADMIN).first()
    if admin is None:
        # Benchmark set-up only: the seed makes its accounts in bulk the same way.
        admin = User.objects.create_user(
            username=ADMIN,
            password=benchdb.PASSWORD,
            role=User.Role.ADMIN,
            organisation=Organisation.objects.get(kind=Organisation.Kind.LA_TEAM),
        )
    return admin


def issue(tokens_per_school: int) -> list[str]:
    from cmetrack.accounts.models import User
    from cmetrack.api.models import ApiToken
    from cmetrack.api.tokens import api_token_issue, api_token_revoke

    admin = bench_admin()
    for old in ApiToken.objects.filter(name=TOKEN_NAME, revoked_at__isnull=True):
        api_token_revoke(token=old, by=admin)
    plain: list[str] = []
    for n in range(1, benchdb.SCHOOL_USERS + 1):
        user = User.objects.get(username=benchdb.school_username(n))
        for _ in range(tokens_per_school):
            _, secret = api_token_issue(
                user=user, name=TOKEN_NAME, scopes=["submit", "read"], days=1, by=admin
            )
            plain.append(secret)
    return plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=benchdb.DEFAULT_URL)
    parser.add_argument("--tokens-per-school", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    benchdb.setup_django(args.database_url)
    plain = issue(args.tokens_per_school)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(plain) + "\n")
    print(f"{len(plain)} tokens written to {args.out}")


if __name__ == "__main__":
    main()
