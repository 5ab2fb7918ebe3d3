"""A child's version (issue 11): every change to the record through the services moves it on,
and a service given the version a form was opened at refuses a stale one, writing nothing."""

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.services import ReferralData, case_flag_add, case_flag_remove, referral_record
from cmetrack.children.models import Child, ChildFlag
from cmetrack.children.services import (
    AddressData,
    ChildChanged,
    ChildData,
    child_add_referral_details,
    child_address_add,
    child_details_update,
    child_former_upn_add,
    child_other_name_add,
    child_version_bump,
)
from cmetrack.core.upn import upn_check_letter
from cmetrack.testing.factories import CaseFactory, ChildFactory, flag_type, reason

pytestmark = pytest.mark.django_db


def _upn(serial: int) -> str:
    body = f"3432001{serial:03d}01"
    return upn_check_letter(body) + body


EDITS: list[tuple[str, Callable[[Child, User, int | None], object]]] = [
    (
        "details",
        lambda c, u, v: child_details_update(
            child=c, by=u, ethnicity="White British", expected_version=v
        ),
    ),
    (
        "other name",
        lambda c, u, v: child_other_name_add(
            child=c, kind="alias", forenames="Mia", by=u, expected_version=v
        ),
    ),
    (
        "former UPN",
        lambda c, u, v: child_former_upn_add(child=c, upn=_upn(7), by=u, expected_version=v),
    ),
    (
        "address",
        lambda c, u, v: child_address_add(
            child=c, data=AddressData(line_1="4 New Road"), by=u, expected_version=v
        ),
    ),
]


@pytest.mark.parametrize("edit", EDITS, ids=[name for name, _ in EDITS])
def test_each_edit_moves_the_childs_version_on(
    edit: tuple[str, Callable[[Child, User, int | None], object]], officer: User
) -> None:
    child = ChildFactory()
    edit[1](child, officer, 1)
    child.refresh_from_db()
    assert child.version == 2


@pytest.mark.parametrize("edit", EDITS, ids=[name for name, _ in EDITS])
def test_each_edit_refuses_a_stale_version_and_writes_nothing(
    edit: tuple[str, Callable[[Child, User, int | None], object]], officer: User
) -> None:
    child = ChildFactory()
    child_details_update(child=child, by=officer, sen_status="N")
    entries = LogEntry.objects.count()
    with pytest.raises(ChildChanged, match="changed since you opened it") as refused:
        edit[1](child, officer, 1)
    assert refused.value.child.version == 2 and refused.value.expected == 1
    assert LogEntry.objects.count() == entries
    child.refresh_from_db()
    assert (child.version, child.ethnicity) == (2, "")
    assert not child.other_names.exists() and not child.former_upns.exists()
    assert not child.addresses.exists()


@pytest.mark.parametrize("edit", EDITS, ids=[name for name, _ in EDITS])
def test_an_edit_without_a_version_still_works_from_an_old_copy(
    edit: tuple[str, Callable[[Child, User, int | None], object]], officer: User
) -> None:
    child = ChildFactory()
    old_copy = Child.objects.get(pk=child.pk)
    child_details_update(child=child, by=officer, sen_status="N")
    edit[1](old_copy, officer, None)
    child.refresh_from_db()
    assert child.version == 3


def test_an_update_that_changes_nothing_leaves_the_version(officer: User) -> None:
    child = ChildFactory(ethnicity="White British")
    child_details_update(child=child, by=officer, ethnicity="White British")
    child.refresh_from_db()
    assert child.version == 1


def test_the_version_is_not_in_the_audit_record_of_a_change(officer: User) -> None:
    child = ChildFactory()
    child_details_update(child=child, by=officer, ethnicity="White British")
    update = LogEntry.objects.get_for_object(child).filter(action=LogEntry.Action.UPDATE).get()
    assert set(update.changes_dict) == {"ethnicity"}


def test_flags_added_and_removed_through_the_case_move_the_childs_version_on(
    officer: User,
) -> None:
    case = CaseFactory()
    flag = case_flag_add(case=case, flag_type=flag_type("young-carer"), by=officer)
    case_flag_remove(case=case, flag=ChildFlag.objects.get(pk=flag.pk), by=officer)
    case.child.refresh_from_db()
    assert case.child.version == 3


def test_a_new_referral_that_adds_to_a_known_child_moves_its_version_on(officer: User) -> None:
    child = ChildFactory(upn="")
    added = child_add_referral_details(
        child=child, data=ChildData(forenames="x", surname="y", upn=_upn(3)), by=officer
    )
    assert added == ["UPN"]
    child.refresh_from_db()
    assert child.version == 2
    assert (
        child_add_referral_details(
            child=child, data=ChildData(forenames="x", surname="y"), by=officer
        )
        == []
    )
    child.refresh_from_db()
    assert child.version == 2  # nothing added, nothing changed


def test_a_referral_of_a_known_child_records_the_case_and_the_childs_new_version(
    officer: User,
) -> None:
    child = ChildFactory(upn="")
    result = referral_record(
        data=ReferralData(
            child=ChildData(forenames=child.forenames, surname=child.surname, upn=_upn(4)),
            primary_reason=reason(),
            referral_source="school",
            referral_date=timezone.localdate(),
        ),
        by=officer,
        existing_child=child,
    )
    child.refresh_from_db()
    assert result.child_was_known and child.version == 2 and result.case.version == 1


def test_the_bump_refuses_a_copy_read_before_another_change(officer: User) -> None:
    child = ChildFactory()
    mine, theirs = Child.objects.get(pk=child.pk), Child.objects.get(pk=child.pk)
    child_version_bump(theirs)
    with pytest.raises(ChildChanged):
        child_version_bump(mine)
