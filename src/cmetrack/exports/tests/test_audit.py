"""Every export is audited: one entry for the download, one for each record in the file."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmetrack.accounts.models import User
from cmetrack.audit.services import current_page
from cmetrack.children.models import Child
from cmetrack.exports import audit
from cmetrack.exports.audit import record_export
from cmetrack.exports.table import Column, ExportTable, Row
from cmetrack.exports.writers import csv_bytes
from cmetrack.testing.factories import ChildFactory


def written(children: list[Child], *, include_personal: bool = True) -> ExportTable:
    table = ExportTable(
        name="Case list",
        slug="case-list",
        columns=(Column("name", "Child", personal=True), Column("ref", "Reference")),
        rows=(Row({"name": c.full_name, "ref": f"R{c.pk}"}, subject_id=c.pk) for c in children),
        subject_model=Child,
        include_personal=include_personal,
    )
    csv_bytes(table)
    return table


def test_the_download_is_recorded_on_the_users_own_record(officer: User) -> None:
    children = [ChildFactory(forenames="Ada", surname="Lovelace"), ChildFactory()]
    entry = record_export(
        by=officer,
        tables=[written(children)],
        fmt="xlsx",
        view="case list export",
        details={"filters": ["status"]},
    )
    assert entry.content_type == ContentType.objects.get_for_model(User)
    assert entry.object_id == officer.pk
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.actor == officer
    assert entry.object_repr == "Case list export"
    assert entry.additional_data == {
        "view": "case list export",
        "format": "xlsx",
        "lists": ["Case list"],
        "rows": 2,
        "personal_columns": True,
        "filters": ["status"],
    }


def test_each_exported_child_gets_one_access_entry_without_their_name(officer: User) -> None:
    ada, bob = ChildFactory(forenames="Ada", surname="Lovelace"), ChildFactory(forenames="Bob")
    token = current_page.set("cases:list-export")
    try:
        # Ada is on two rows (two cases): one entry for her.
        record_export(
            by=officer, tables=[written([ada, bob, ada])], fmt="csv", view="case list export"
        )
    finally:
        current_page.reset(token)
    child_type = ContentType.objects.get_for_model(Child)
    entries = LogEntry.objects.filter(content_type=child_type, action=LogEntry.Action.ACCESS)
    assert sorted(e.object_id for e in entries) == sorted([ada.pk, bob.pk])
    for entry in entries:
        assert entry.actor == officer
        assert entry.additional_data == {
            "export": "Case list",
            "format": "csv",
            "page": "cases:list-export",
        }
    everything = json.dumps(
        list(
            LogEntry.objects.filter(action=LogEntry.Action.ACCESS).values(
                "object_repr", "additional_data", "changes"
            )
        ),
        default=str,
    )
    assert "Ada" not in everything and "Lovelace" not in everything and "Bob" not in everything


def test_an_export_without_personal_columns_says_so(officer: User) -> None:
    entry = record_export(
        by=officer,
        tables=[written([ChildFactory()], include_personal=False)],
        fmt="csv",
        view="case list export",
    )
    assert entry.additional_data["personal_columns"] is False


def test_an_empty_export_is_still_recorded_with_no_rows(officer: User) -> None:
    entry = record_export(by=officer, tables=[written([])], fmt="csv", view="case list export")
    assert entry.additional_data["rows"] == 0
    assert list(LogEntry.objects.filter(action=LogEntry.Action.ACCESS)) == [entry]


def test_a_large_export_is_inserted_in_batches_not_a_save_per_child(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "BATCH_SIZE", 2)
    table = written([ChildFactory() for _ in range(5)])
    with CaptureQueriesContext(connection) as queries:
        record_export(by=officer, tables=[table], fmt="csv", view="case list export")
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "auditlog_logentry"')]
    assert len(inserts) == 1 + 3  # the download, then 5 children in batches of 2
    child_type = ContentType.objects.get_for_model(Child)
    accessed = LogEntry.objects.filter(content_type=child_type, action=LogEntry.Action.ACCESS)
    assert accessed.count() == 5


def test_only_a_signed_in_user_can_be_recorded_as_exporting() -> None:
    with pytest.raises(TypeError):
        record_export(by=None, tables=[], fmt="csv", view="case list export")
