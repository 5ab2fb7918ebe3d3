"""children_create: many records at once (a register migration), each as child_create would
have written it, each audited, and each filed under its search keys."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import User
from cmetrack.children.models import Address, Child, Contact
from cmetrack.children.services import (
    AddressData,
    ChildData,
    ContactData,
    child_create,
    children_create,
)
from cmetrack.matching.models import ChildMatchKey

pytestmark = pytest.mark.django_db

DOB = datetime.date(2013, 11, 4)


def _data(i: int) -> ChildData:
    return ChildData(
        forenames=f" Ioana{i} ",
        surname="Popescu",
        date_of_birth=DOB + datetime.timedelta(days=i),
        address=AddressData(line_1=f"{i} High St", postcode="l20 7ae") if i % 2 else None,
        contacts=[ContactData(name="Mum - Karen", phone="0151 000 0000")] if i % 3 else [],
    )


def test_children_made_in_bulk_are_the_records_child_create_makes(officer: User) -> None:
    one = child_create(data=_data(1), by=officer)
    [bulk] = children_create(items=[_data(1)], by=officer)

    def shape(child: Child) -> tuple[object, ...]:
        address = child.addresses.values_list("line_1", "postcode", "postcode_raw").first()
        contacts = list(child.contacts.values_list("name", "phone"))
        keys = set(ChildMatchKey.objects.filter(child=child).values_list("key", flat=True))
        return (
            child.forenames,
            child.surname,
            child.date_of_birth,
            child.sex,
            address,
            contacts,
            keys,
        )

    assert shape(Child.objects.get(pk=bulk.pk)) == shape(one)
    assert shape(one)[-1]  # filed under some keys


def test_every_child_address_and_contact_made_in_bulk_is_audited_as_a_creation(
    officer: User,
) -> None:
    children = children_create(items=[_data(i) for i in range(30)], by=officer)

    assert Child.objects.count() == 30
    for model in (Child, Address, Contact):
        made = model.objects.all()
        assert made.exists()
        for obj in made:
            entry = LogEntry.objects.get_for_object(obj).get()
            assert entry.action == LogEntry.Action.CREATE
            assert entry.actor == officer
    assert all(ChildMatchKey.objects.filter(child=c).exists() for c in children)


def test_no_children_is_nothing(officer: User) -> None:
    entries = LogEntry.objects.count()
    assert children_create(items=[], by=officer) == []
    assert LogEntry.objects.count() == entries
