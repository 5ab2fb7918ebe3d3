"""A deterministic, entirely synthetic demo authority: Sefton (LA 343). `seed_demo` builds it.

Nothing here is real: people's names come from Faker (seeded) and word lists, addresses are made
up streets in the right postcode districts, UPNs are generated with a valid check letter, phone
numbers are in Ofcom's drama ranges and e-mail addresses use RFC 2606 domains (people.py).

The package, one purpose a module, in the order a run uses them:
- vocabulary, people, draws: word lists and synthetic people, pure (the benchmarks share them);
- schools, users: the schools register (through the GIAS import service) and the accounts;
- plans, families, caseload, scripts, notes, dates: every case, child and family is planned in
  memory first, with its story and its dates;
- runner: the plans replayed through the same services as the screens (referral_record, then
  case_change_status, case_assign, case_add_note, case_flag_add, case_close, case_reopen, and
  the children services for other names, former UPNs and addresses), so the timelines and the
  audit log are real;
- backdate: only the *times* are then moved into the past, so that the timeline reads as a
  history rather than as "all just now".

Determinism: one seeded random.Random drives every choice, Faker instances are seeded from it,
reference data is read in a fixed order and no set or UUID order is ever iterated. The same seed
on the same day gives the same names, dates of birth, dates and statuses. Case references are the
one exception: models.new_case_reference draws them from `secrets`, on purpose.
"""

from __future__ import annotations

import random
import time as time_module
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cmetrack.cases.models import Case, CaseEvent, MissingReason
from cmetrack.cases.status import Status
from cmetrack.children.models import Child, VulnerabilityFlagType

from .caseload import Planner
from .dates import WorkingDays
from .errors import SeedError
from .people import People
from .runner import Runner
from .schools import MAX_SCHOOLS, make_schools, school_for_users
from .users import DEMO_ACCOUNTS, DEMO_PASSWORD, Accounts

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "MAX_SCHOOLS",
    "SeedError",
    "SeedSummary",
    "seed_demo",
]


class _Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class SeedSummary:
    seed: int
    schools: int
    organisations: int
    users: int
    children: int
    cases: int
    events: int
    cases_by_status: dict[str, int]
    seconds: float


def seed_demo(
    *,
    seed: int = 343,
    schools: int = 100,
    children: int = 600,
    cases: int = 400,
    stdout: _Writer | None = None,
) -> SeedSummary:
    """Build the synthetic demo authority in an empty register; raise SeedError otherwise."""
    if not 4 <= schools <= MAX_SCHOOLS or cases < 1 or children < 1:
        # Establishment numbers come from 1,000-wide DfE bands: a borough has ~100 schools.
        raise SeedError(f"Ask for 4 to {MAX_SCHOOLS} schools and at least 1 child and 1 case.")

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    started = time_module.monotonic()
    # One transaction: all or nothing, and on SQLite about ten times faster than autocommit.
    with transaction.atomic():
        if Case.objects.exists():
            raise SeedError(
                "The register already has cases; the demo only loads into an empty one."
            )
        today = timezone.localdate()
        reasons, flag_types = _reference_data(today)
        rng = random.Random(seed)  # repeatable synthetic data, not a secret # nosec B311
        people = People(rng, today=today, faker_seed=seed)
        say(f"Creating {schools} schools, the organisations and the demo accounts...")
        school_rows = make_schools(rng, schools)
        orgs, users = Accounts(people.en, say=say).make(school_for_users(school_rows))
        officers = [users["officer"]] + [u for name, u in users.items() if "." in name]
        say(f"Planning {cases} cases for {children} children...")
        planner = Planner(
            people=people,
            days=WorkingDays(today),
            schools=school_rows,
            reasons=reasons,
            flag_types=flag_types,
        )
        plans = planner.plan_cases(
            cases=cases, children=children, officers=officers, manager=users["manager"]
        )
        say("Recording referrals and working the cases through the services...")
        runner = Runner(planner, say=say)
        runner.run(plans)
        runner.make_caseless_children(planner.caseless, users["officer"])
        by_status = Counter(Case.objects.values_list("status", flat=True))
        summary = SeedSummary(
            seed=seed,
            schools=len(school_rows),
            organisations=len(orgs),
            users=len(users),
            children=Child.objects.count(),
            cases=Case.objects.count(),
            events=CaseEvent.objects.count(),
            cases_by_status={s.value: by_status.get(s.value, 0) for s in Status},
            seconds=0.0,
        )
    return replace(summary, seconds=time_module.monotonic() - started)


def _reference_data(today: date) -> tuple[list[MissingReason], list[VulnerabilityFlagType]]:
    """Reasons and flags in force today, in a fixed order (the draws depend on it)."""
    current = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    reasons = list(MissingReason.objects.filter(current).order_by("display_order", "code"))
    flag_types = list(
        VulnerabilityFlagType.objects.filter(current).order_by("display_order", "code")
    )
    if not reasons or not flag_types:
        raise SeedError("Reference data is missing: run `cmetrack migrate` first.")
    return reasons, flag_types
