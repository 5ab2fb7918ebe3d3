"""The demo authority: complete, lawful by the case rules, synthetic and reproducible."""

import hashlib
from datetime import datetime, time
from io import StringIO
from typing import TypedDict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, CaseEvent, MissingReason
from cmetrack.cases.status import Status
from cmetrack.children.models import Address, Child, ChildFlag, FormerUpn, VulnerabilityFlagType
from cmetrack.core.postcode import is_valid_postcode
from cmetrack.core.school_age import is_compulsory_school_age
from cmetrack.core.upn import is_valid_upn
from cmetrack.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, SeedError, seed_demo
from cmetrack.schools.models import School

pytestmark = pytest.mark.django_db


class Size(TypedDict):
    schools: int
    children: int
    cases: int


SMALL: Size = {"schools": 10, "children": 40, "cases": 30}
TINY = ["--schools", "5", "--children", "12", "--cases", "8"]


def _digest() -> str:
    """Everything a person would see, in an order that depends on no id or UUID."""
    lines: list[str] = []
    for school in School.objects.order_by("urn"):
        lines.append(
            f"{school.urn}|{school.name}|{school.phase}|{school.is_open}|{school.postcode}"
        )
    children = Child.objects.order_by("surname", "forenames", "date_of_birth", "upn")
    for child in children.prefetch_related("addresses", "contacts", "other_names", "former_upns"):
        lines.append(
            f"{child.forenames}|{child.surname}|{child.date_of_birth}|{child.sex}|{child.upn}|"
            f"{child.first_language}|{child.ethnicity}|{child.sen_status}"
        )
        lines += sorted(f"  {a} {a.date_from} {a.date_to}" for a in child.addresses.all())
        lines += sorted(f"  {c.name} {c.relationship} {c.phone}" for c in child.contacts.all())
        lines += sorted(f"  {n.kind} {n}" for n in child.other_names.all())
        lines += sorted(f"  {u.upn}" for u in child.former_upns.all())
        for case in child.cases.order_by("referral_date", "opened_at"):
            lines.append(
                f"  case {case.status}|{case.outcome}|{case.primary_reason.code}|"
                f"{case.referral_date}|{case.closed_on}|{case.risk_level}|{case.category}|"
                f"{case.assigned_to.username if case.assigned_to else ''}|{case.opened_at}"
            )
            for event in case.events.order_by("occurred_at", "id"):
                text = event.payload.get("text") or event.payload.get("note") or ""
                lines.append(f"    {event.occurred_at.isoformat()} {event.kind} {text}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _seed_and_digest(seed: int) -> str:
    # A savepoint rolled back after each run: two runs on the same empty register.
    with transaction.atomic():
        seed_demo(seed=seed, **SMALL)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


def test_a_small_demo_covers_every_status_reason_and_flag() -> None:
    summary = seed_demo(**SMALL)

    assert (summary.schools, summary.children, summary.cases) == (10, 40, 30)
    assert School.objects.count() == 10 and Child.objects.count() == 40
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("primary_reason__code", flat=True)) == set(
        MissingReason.objects.values_list("code", flat=True)
    )
    assert set(ChildFlag.objects.values_list("flag_type__code", flat=True)) == set(
        VulnerabilityFlagType.objects.values_list("code", flat=True)
    )
    assert summary.cases_by_status == {
        s: Case.objects.filter(status=s).count() for s in Status.values
    }
    assert set(School.objects.values_list("phase", flat=True)) == {
        "Primary",
        "Secondary",
        "Special",
        "All-through",
    }


def test_the_same_seed_builds_the_same_authority_and_another_seed_a_different_one() -> None:
    first = _seed_and_digest(343)
    assert Case.objects.count() == 0  # the run was rolled back
    assert _seed_and_digest(343) == first
    assert _seed_and_digest(344) != first


def test_every_timeline_opens_first_runs_in_order_and_ends_before_today() -> None:
    seed_demo(**SMALL)
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time()))

    for case in Case.objects.prefetch_related("events"):
        events = sorted(case.events.all(), key=lambda e: e.pk)
        assert events[0].kind == "opened"
        times = [e.occurred_at for e in events]
        assert times == sorted(times), case.reference
        assert times[-1] < midnight
        assert case.opened_at == times[0]
        assert timezone.localtime(times[0]).date() == case.referral_date
        if case.status == Status.CLOSED:
            closing = [e for e in events if e.kind == "closed"][-1]
            assert timezone.localtime(closing.occurred_at).date() == case.closed_on


def test_a_child_has_at_most_one_open_case_and_some_have_an_older_closed_one() -> None:
    seed_demo(**SMALL)

    for child in Child.objects.prefetch_related("cases"):
        statuses = [c.status for c in child.cases.all()]
        assert sum(s != Status.CLOSED for s in statuses) <= 1
    repeat = [c for c in Child.objects.prefetch_related("cases") if c.cases.count() > 1]
    assert repeat
    for child in repeat:
        cases = sorted(child.cases.all(), key=lambda c: c.referral_date)
        assert all(c.status == Status.CLOSED for c in cases[:-1])
        assert cases[0].closed_on is not None and cases[0].closed_on < cases[-1].referral_date


def test_postcodes_and_upns_are_valid_and_about_a_fifth_of_children_have_no_upn() -> None:
    seed_demo(**SMALL)

    postcodes = list(Address.objects.exclude(postcode="").values_list("postcode", flat=True))
    postcodes += list(School.objects.values_list("postcode", flat=True))
    assert postcodes and all(is_valid_postcode(p) for p in postcodes)
    assert not Address.objects.filter(state=Address.State.KNOWN, postcode="").exists()
    upns = list(Child.objects.exclude(upn="").values_list("upn", flat=True))
    upns += list(FormerUpn.objects.values_list("upn", flat=True))
    assert all(is_valid_upn(u) for u in upns)
    assert all(u[1:4] == "343" for u in Child.objects.exclude(upn="").values_list("upn", flat=True))
    without = Child.objects.filter(upn="").count()
    assert 0.05 <= without / Child.objects.count() <= 0.4


def test_children_are_mostly_of_compulsory_school_age() -> None:
    seed_demo(**SMALL)

    today = timezone.localdate()
    dobs = [d for d in Child.objects.values_list("date_of_birth", flat=True) if d]
    in_age = sum(is_compulsory_school_age(d, today) for d in dobs)
    assert in_age / Child.objects.count() >= 0.85


def test_each_role_has_a_demo_account_with_the_shared_password() -> None:
    seed_demo(**SMALL)

    for username, _label in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    roles = dict(User.objects.values_list("username", "role"))
    assert {roles[name] for name, _ in DEMO_ACCOUNTS} == set(User.Role.values)
    assert User.objects.filter(role=User.Role.CME_OFFICER).count() == 4
    assert Case.objects.exclude(assigned_to=None).values("assigned_to").distinct().count() > 1


def test_seeding_refuses_a_register_that_already_has_cases() -> None:
    seed_demo(**SMALL)

    with pytest.raises(SeedError, match="already has cases"):
        seed_demo(**SMALL)


@override_settings(DEBUG=True)
def test_if_empty_loads_once_then_only_prints_the_sign_in_details() -> None:
    first = StringIO()
    call_command("seed_demo", *TINY, "--if-empty", stdout=first)
    counts = (Child.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    assert counts[1] == 8
    assert DEMO_PASSWORD in first.getvalue()

    second = StringIO()
    call_command("seed_demo", *TINY, "--if-empty", stdout=second)

    assert (Child.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
    assert "not loaded again" in second.getvalue()
    assert DEMO_PASSWORD in second.getvalue() and "officer" in second.getvalue()


@override_settings(DEBUG=False)
def test_the_command_refuses_without_debug_unless_forced() -> None:
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", *TINY, stdout=StringIO())
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", *TINY, "--if-empty", stdout=StringIO())
    assert not Case.objects.exists()

    call_command("seed_demo", *TINY, "--force", stdout=StringIO())

    assert Case.objects.count() == 8
