"""Migration 0003 files the children already on record under their first-name sound keys,
exactly as the signal handlers file a new record (the key needs the surname's initial)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from cmetrack.matching.models import ChildMatchKey
from cmetrack.testing.factories import ChildFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cmetrack.matching.migrations.0003_first_name_keys")


def _fnp(child_id: int) -> set[str]:
    return set(
        ChildMatchKey.objects.filter(child_id=child_id, key__startswith="fnp:").values_list(
            "key", flat=True
        )
    )


def test_the_migration_files_the_keys_a_saved_record_gets() -> None:
    child = ChildFactory(forenames="Amelia", surname="Porter", date_of_birth=date(2015, 3, 27))
    filed = _fnp(child.pk)
    assert filed  # the signal's keys
    ChildMatchKey.objects.filter(key__startswith="fnp:").delete()

    migration.build(apps, None)

    assert _fnp(child.pk) == filed


def test_undoing_the_migration_removes_only_the_first_name_keys() -> None:
    child = ChildFactory(forenames="Amelia", surname="Porter", date_of_birth=date(2015, 3, 27))
    others = set(ChildMatchKey.objects.exclude(key__startswith="fnp:").values_list("key"))

    migration.unbuild(apps, None)

    assert not _fnp(child.pk)
    assert set(ChildMatchKey.objects.values_list("key")) == others
