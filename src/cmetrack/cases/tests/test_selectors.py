"""Reading cases: who sees what, the one search box, and the dashboard figures."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, Outcome
from cmetrack.cases.selectors import (
    case_get,
    case_list,
    cases_visible_to,
    dashboard_figures,
    search_filter,
)
from cmetrack.cases.services import case_flag_add, case_flag_remove
from cmetrack.cases.status import Status
from cmetrack.children.models import FormerUpn, OtherName
from cmetrack.core.upn import upn_check_letter
from cmetrack.testing.factories import CaseFactory, ChildFactory, flag_type

LA_PERSONAS = ["officer", "manager", "admin_user"]
OTHER_PERSONAS = ["school_user", "agency_user", "outsider", "anonymous"]


def upn(serial: int) -> str:
    body = f"3432001{serial:05d}"
    return upn_check_letter(body) + body


def closed_case(**kwargs: object) -> Case:
    return CaseFactory(
        status=Status.CLOSED, outcome=Outcome.NOT_CME, closed_on=timezone.localdate(), **kwargs
    )


@pytest.fixture
def anonymous() -> AnonymousUser:
    return AnonymousUser()


@pytest.fixture
def three_cases(db: None) -> list[Case]:
    return [CaseFactory(), CaseFactory(status=Status.ENQUIRIES), closed_case()]


# --- visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", LA_PERSONAS)
def test_la_roles_see_every_case(
    request: pytest.FixtureRequest, persona: str, three_cases: list[Case]
) -> None:
    user = request.getfixturevalue(persona)
    assert set(cases_visible_to(user)) == set(three_cases)
    assert set(case_list(user=user)) == set(three_cases)


@pytest.mark.parametrize("persona", LA_PERSONAS)
def test_la_roles_can_open_any_case(
    request: pytest.FixtureRequest, persona: str, three_cases: list[Case]
) -> None:
    user = request.getfixturevalue(persona)
    for case in three_cases:
        assert case_get(user=user, public_id=case.public_id) == case
        assert case_get(user=user, public_id=str(case.public_id)) == case


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_everyone_outside_the_la_team_sees_no_case(
    request: pytest.FixtureRequest, persona: str, three_cases: list[Case]
) -> None:
    user = request.getfixturevalue(persona)
    assert not cases_visible_to(user).exists()
    assert not case_list(user=user).exists()


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_everyone_outside_the_la_team_gets_404_for_a_case_that_exists(
    request: pytest.FixtureRequest, persona: str, three_cases: list[Case]
) -> None:
    user = request.getfixturevalue(persona)
    for case in three_cases:
        with pytest.raises(Http404):
            case_get(user=user, public_id=case.public_id)


def test_a_deactivated_officer_sees_no_case(officer: User, three_cases: list[Case]) -> None:
    officer.is_active = False
    officer.save()
    assert not cases_visible_to(officer).exists()
    with pytest.raises(Http404):
        case_get(user=officer, public_id=three_cases[0].public_id)


def test_an_unknown_case_is_404_even_for_the_la_team(officer: User) -> None:
    with pytest.raises(Http404):
        case_get(user=officer, public_id=uuid.uuid4())


def test_case_get_brings_only_the_childs_active_flags(officer: User) -> None:
    case = CaseFactory()
    gone = case_flag_add(case=case, flag_type=flag_type("child-in-need"), by=officer)
    case_flag_remove(case=case, flag=gone, by=officer)
    kept = case_flag_add(case=case, flag_type=flag_type("looked-after"), by=officer)

    fetched = case_get(user=officer, public_id=case.public_id)

    # case_get's Prefetch(to_attr="active_flags") sets this; the Child model does not declare it.
    assert fetched.child.active_flags == [kept]  # type: ignore[attr-defined]


# --- the search box --------------------------------------------------------------------------


@pytest.fixture
def register(db: None) -> dict[str, Case]:
    amelia = ChildFactory(
        forenames="Amelia Rose",
        surname="Kowalski",
        date_of_birth=datetime.date(2014, 9, 2),
        upn=upn(1),
    )
    FormerUpn.objects.create(child=amelia, upn=upn(2))
    OtherName.objects.create(child=amelia, kind=OtherName.Kind.PREFERRED, forenames="Millie")
    OtherName.objects.create(child=amelia, kind=OtherName.Kind.ALIAS, surname="Smith")
    jack = ChildFactory(
        forenames="Jack", surname="O'Neill", date_of_birth=datetime.date(2012, 1, 15), upn=upn(3)
    )
    ruby = ChildFactory(
        forenames="Ruby", surname="Kowal", date_of_birth=datetime.date(2016, 6, 30), upn=""
    )
    return {
        "amelia": CaseFactory(child=amelia),
        "jack": CaseFactory(child=jack),
        "ruby": CaseFactory(child=ruby),
        "amelia_old": closed_case(child=amelia),
    }


def found(register: dict[str, Case], query: str) -> set[str]:
    """Which of the register's cases the search finds (distinct, as the case list applies it)."""
    names = {case.pk: name for name, case in register.items()}
    hits = Case.objects.filter(search_filter(query)).distinct().values_list("pk", flat=True)
    return {names[pk] for pk in hits}


AMELIA = {"amelia", "amelia_old"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kowalski", AMELIA),
        ("kowalski", AMELIA),
        ("KOWAL", AMELIA | {"ruby"}),
        ("o'neill", {"jack"}),
        ("meli", AMELIA),
        ("Rose", AMELIA),
        ("amelia kowalski", AMELIA),
        ("  Ruby   Kowal ", {"ruby"}),
        ("Jack Kowalski", set()),
        ("Nobody", set()),
    ],
)
def test_search_finds_cases_by_legal_name_or_part_of_it(
    register: dict[str, Case], query: str, expected: set[str]
) -> None:
    assert found(register, query) == expected


@pytest.mark.parametrize("query", ["Millie", "millie kowalski", "Amelia Smith", "smith", "MILLIE"])
def test_search_finds_a_child_by_another_name_they_are_known_by(
    register: dict[str, Case], query: str
) -> None:
    assert found(register, query) == AMELIA


def test_search_by_name_lists_each_case_once_even_with_several_matching_other_names(
    register: dict[str, Case],
) -> None:
    OtherName.objects.create(child=register["amelia"].child, forenames="Amelka")
    hits = list(Case.objects.filter(search_filter("Ame")).distinct().values_list("pk", flat=True))
    assert sorted(hits) == sorted([register["amelia"].pk, register["amelia_old"].pk])


@pytest.mark.parametrize("query", ["Zoë", "zoë", "ŁUKASIEWICZ", "łukasiewicz", "zoë łukasiewicz"])
def test_search_ignores_case_in_accented_names_too(db: None, query: str) -> None:
    case = CaseFactory(child=ChildFactory(forenames="Zoë", surname="Łukasiewicz"))
    assert list(Case.objects.filter(search_filter(query)).distinct()) == [case]


def _spaced(value: str) -> str:
    return f" {value[:1]} {value[1:4]} {value[4:8]} {value[8:]} "


@pytest.mark.parametrize(
    "typed", [upn(1), upn(1).lower(), _spaced(upn(1)), _spaced(upn(1).lower())]
)
def test_search_finds_a_child_by_upn_however_it_is_typed(
    register: dict[str, Case], typed: str
) -> None:
    assert found(register, typed) == AMELIA


@pytest.mark.parametrize("typed", [upn(2), _spaced(upn(2).lower())])
def test_search_finds_a_child_by_a_former_upn(register: dict[str, Case], typed: str) -> None:
    assert found(register, typed) == AMELIA


def test_search_by_an_unknown_upn_finds_nothing(register: dict[str, Case]) -> None:
    assert found(register, upn(99)) == set()


@pytest.mark.parametrize(
    "typed", ["2012-01-15", "15/01/2012", "15/1/2012", " 15-01-2012 ", "15.01.2012"]
)
def test_search_finds_a_child_by_date_of_birth(register: dict[str, Case], typed: str) -> None:
    assert found(register, typed) == {"jack"}


def test_search_finds_a_case_by_its_reference(register: dict[str, Case]) -> None:
    reference = register["jack"].reference
    assert found(register, reference) == {"jack"}
    assert found(register, f"  {reference.lower()} ") == {"jack"}


def test_search_by_a_reference_that_does_not_exist_finds_nothing(
    register: dict[str, Case],
) -> None:
    taken = {case.reference for case in register.values()}
    missing = next(r for r in ("CME-0000-0000", "CME-1111-1111") if r not in taken)
    assert found(register, missing) == set()


def test_a_blank_search_filters_nothing(register: dict[str, Case]) -> None:
    assert found(register, "") == found(register, "   ") == set(register)


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_counts_every_status_in_order(officer: User) -> None:
    layout = {
        Status.REFERRED: 3,
        Status.ENQUIRIES: 2,
        Status.LOCATED: 1,
        Status.PLACED: 0,
        Status.TRANSFERRED: 1,
        Status.UNTRACED: 1,
        Status.CLOSED: 2,
    }
    for status, n in layout.items():
        for _ in range(n):
            if status == Status.CLOSED:
                closed_case()
            else:
                CaseFactory(status=status)

    figures = dashboard_figures(user=officer)

    assert figures.counts_by_status == list(layout.items())
    assert figures.open_total == 8
    assert figures.unassigned_total == 8
    assert [c.reference for c in figures.newest_referrals] == [
        c.reference for c in Case.objects.order_by("-referral_date", "-opened_at")[:10]
    ]


def test_dashboard_my_open_cases_are_the_users_own_open_cases_oldest_first(
    officer: User, manager: User
) -> None:
    today = timezone.localdate()
    newer = CaseFactory(assigned_to=officer, referral_date=today - datetime.timedelta(days=2))
    older = CaseFactory(
        assigned_to=officer,
        status=Status.UNTRACED,
        referral_date=today - datetime.timedelta(days=40),
    )
    closed_case(assigned_to=officer)
    CaseFactory(assigned_to=manager)
    CaseFactory()

    mine = dashboard_figures(user=officer)
    theirs = dashboard_figures(user=manager)

    assert list(mine.my_open_cases) == [older, newer]
    assert len(theirs.my_open_cases) == 1
    assert mine.open_total == 4
    assert mine.unassigned_total == 1


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_dashboard_shows_nothing_to_users_outside_the_la_team(
    request: pytest.FixtureRequest, persona: str, three_cases: list[Case]
) -> None:
    user = request.getfixturevalue(persona)

    figures = dashboard_figures(user=user)

    assert figures.counts_by_status == [(s, 0) for s in Status]
    assert figures.open_total == figures.unassigned_total == 0
    assert list(figures.my_open_cases) == []
    assert list(figures.newest_referrals) == []
