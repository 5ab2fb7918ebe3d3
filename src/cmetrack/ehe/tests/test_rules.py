"""The pure rules the return counts by, the reference data, the role and its predicates, and
the register's part in a merge."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.accounts import access
from cmetrack.accounts.models import Organisation, User
from cmetrack.conftest import client_for
from cmetrack.ehe.census import on_register, on_register_during, previous_academic_year
from cmetrack.ehe.merge import EHE_IN_A_MERGE
from cmetrack.ehe.models import EheReason, EheRecord, Source
from cmetrack.ehe.reference_data import ensure_ehe_reasons
from cmetrack.testing.factories import ChildFactory, OrganisationFactory, UserFactory

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(start=days, length=st.one_of(st.none(), st.integers(0, 4000)), day=days)
def test_on_register_on_a_day_is_on_register_during_that_one_day(
    start: date, length: int | None, day: date
) -> None:
    end = None if length is None else start + timedelta(days=length)
    assert on_register(start, end, day) == on_register_during(start, end, day, day)


@given(start=days, length=st.one_of(st.none(), st.integers(0, 4000)), a=days, b=days)
def test_on_register_during_a_period_means_on_register_on_some_day_of_it(
    start: date, length: int | None, a: date, b: date
) -> None:
    first, last = min(a, b), max(a, b)
    end = None if length is None else start + timedelta(days=length)
    # The first day of the overlap, if there is one, is a day the child was on the register.
    candidate = max(start, first)
    expected = candidate <= last and on_register(start, end, candidate)
    assert on_register_during(start, end, first, last) == expected


def test_a_record_ending_on_the_census_date_is_not_counted_that_day() -> None:
    assert on_register(date(2026, 9, 1), date(2026, 10, 1), date(2026, 9, 30))
    assert not on_register(date(2026, 9, 1), date(2026, 10, 1), date(2026, 10, 1))


@pytest.mark.parametrize(
    ("census", "expected"),
    [
        (date(2026, 10, 1), (date(2025, 9, 1), date(2026, 8, 31))),
        (date(2027, 1, 21), (date(2025, 9, 1), date(2026, 8, 31))),
        (date(2026, 8, 31), (date(2024, 9, 1), date(2025, 8, 31))),
    ],
)
def test_the_previous_academic_year(census: date, expected: tuple[date, date]) -> None:
    assert previous_academic_year(census) == expected


@pytest.mark.django_db
def test_the_reasons_are_loaded_and_a_missing_one_comes_back_without_undoing_edits() -> None:
    assert EheReason.objects.filter(code="mental-health", label="Mental health").exists()
    EheReason.objects.filter(code="bullying").update(dfe_code="BUL", label="Bullying at school")
    EheReason.objects.filter(code="lifestyle").delete()
    ensure_ehe_reasons(sender=None)  # type: ignore[arg-type]
    assert EheReason.objects.filter(code="lifestyle").exists()
    edited = EheReason.objects.get(code="bullying")
    assert (edited.dfe_code, edited.label) == ("BUL", "Bullying at school")


@pytest.mark.django_db
def test_an_ehe_officer_must_belong_to_the_la_team() -> None:
    school_org = OrganisationFactory(kind=Organisation.Kind.AGENCY)
    user = UserFactory.build(role=User.Role.EHE_OFFICER, organisation=school_org)
    with pytest.raises(ValidationError):
        user.clean()


@pytest.mark.django_db
def test_the_ehe_officer_works_the_register_but_is_not_the_cme_team(
    ehe_officer: User, officer: User, manager: User, school_user: User
) -> None:
    assert access.is_ehe_officer(ehe_officer) and not access.is_ehe_officer(officer)
    assert access.can_work_ehe(ehe_officer) and not access.can_work_ehe(manager)
    assert access.can_see_ehe(ehe_officer) and access.can_see_ehe(officer)
    assert not access.can_see_ehe(school_user)
    assert not access.is_la_staff(ehe_officer) and not access.can_work_cases(ehe_officer)
    assert access.can_acknowledge_ehe_alert(manager)
    assert not access.can_acknowledge_ehe_alert(ehe_officer)
    assert not access.is_partner(ehe_officer)
    ehe_officer.is_active = False
    assert not access.can_see_ehe(ehe_officer)


@pytest.mark.django_db
def test_a_merge_of_two_children_both_on_the_register_is_blocked() -> None:
    source, target = ChildFactory(), ChildFactory()
    for child in (source, target):
        EheRecord.objects.create(child=child, source=Source.OTHER, start_date=date(2026, 1, 5))
    assert "Both records" in EHE_IN_A_MERGE.blocker(source, target)
    assert EHE_IN_A_MERGE.blocker(source, ChildFactory()) == ""


@pytest.mark.django_db
def test_an_administrator_edits_the_reasons_in_django_admin(admin_user: User) -> None:
    reason = EheReason.objects.get(code="bullying")
    client = client_for(admin_user)
    assert client.get("/admin/ehe/ehereason/").status_code == 200
    page = client.get(f"/admin/ehe/ehereason/{reason.pk}/change/")
    assert page.status_code == 200 and "DfE collection code" in page.content.decode()
