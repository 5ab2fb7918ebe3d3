"""Bulk insert writes, for each row, the audit entry django-auditlog itself writes on save().

Every column of auditlog's LogEntry is compared, so an upgrade of the pinned auditlog that
changes what an entry holds (a new column filled on save, a different changes format) fails
here rather than leaving imported rows with thinner audit records than typed-in ones.
"""

import contextvars
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from typing import Any

import pytest
from auditlog.cid import set_cid
from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from django.conf import settings
from django.db import models
from django.test import RequestFactory

from cmetrack.accounts.models import User
from cmetrack.audit.bulk import bulk_insert_with_audit
from cmetrack.children.models import OtherName
from cmetrack.referrals.models import DeletionReturn, Kind, Submission
from cmetrack.testing.factories import ChildFactory, SchoolFactory

# Columns that say which entry or row this is, so they always differ between two entries.
ENTRY_IDENTITY = {"id", "object_pk", "object_id", "timestamp"}
REMOTE_ADDR, REMOTE_PORT, CID = "203.0.113.9", 44321, "cid-bulk-test"


def _in_request(user: User, body: Callable[[], None]) -> None:
    """Run `body` as AuditlogMiddleware would run a view: actor, address and correlation id set,
    in a context of its own so nothing leaks into other tests."""

    def run() -> None:
        # auditlog.conf adds AUDITLOG_CID_HEADER to the settings at import; django-stubs reads
        # only cmetrack's settings modules, where it is not set.
        header = settings.AUDITLOG_CID_HEADER  # type: ignore[misc]
        set_cid(RequestFactory().get("/", headers={header: CID}))
        with set_actor(user, remote_addr=REMOTE_ADDR, remote_port=REMOTE_PORT):
            body()

    contextvars.Context().run(run)


def _entry(obj: models.Model) -> dict[str, Any]:
    entry = LogEntry.objects.get_for_object(obj).get()
    return {f.attname: getattr(entry, f.attname) for f in LogEntry._meta.concrete_fields}


def _assert_same_entry(
    saved: models.Model, bulk: models.Model, row_fields: Collection[str]
) -> None:
    """The two entries agree on every column except the ones naming the entry and the row, and
    their field-by-field changes agree except for `row_fields`, the row's own unique values
    (and its representation, when that is one of them)."""
    one, other = _entry(saved), _entry(bulk)
    assert one.keys() == other.keys()
    assert other["object_pk"] == str(bulk.pk) and other["object_id"] == bulk.pk
    one_changes, other_changes = one.pop("changes"), other.pop("changes")
    assert isinstance(one_changes, dict) and one_changes.keys() == other_changes.keys()
    assert {k for k in one_changes if one_changes[k] != other_changes[k]} <= set(row_fields)
    if "object_repr" in row_fields:
        assert other.pop("object_repr") == str(bulk)
        one.pop("object_repr")
    differing = {k for k in one if one[k] != other[k]}
    assert differing <= ENTRY_IDENTITY, {k: (one[k], other[k]) for k in differing}
    # The context really was carried over, not merely absent from both.
    assert other["action"] == LogEntry.Action.CREATE
    assert (other["remote_addr"], other["remote_port"], other["cid"]) == (
        REMOTE_ADDR,
        REMOTE_PORT,
        CID,
    )
    assert other["actor_id"] is not None and other["actor_email"]


def test_a_bulk_inserted_row_has_the_entry_save_would_write(officer: User) -> None:
    child = ChildFactory()

    def name() -> OtherName:
        return OtherName(child=child, forenames="Amy", surname="Smyth", kind=OtherName.Kind.ALIAS)

    saved, bulk = name(), name()
    _in_request(officer, saved.save)
    _in_request(officer, lambda: bulk_insert_with_audit([bulk], by=officer))

    assert OtherName.objects.filter(pk=bulk.pk).exists()
    _assert_same_entry(saved, bulk, row_fields={"id"})


def test_a_bulk_inserted_child_table_row_has_the_entry_save_would_write(officer: User) -> None:
    school = SchoolFactory()
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def deletion(reference: str) -> DeletionReturn:
        return DeletionReturn(
            kind=Kind.DELETION,
            reference=reference,
            submitted_by=officer,
            received_at=at,
            shared_status_at=at,
            school=school,
            forenames="Amy",
            surname="Smyth",
            date_of_birth=date(2014, 5, 6),
            deletion_date=date(2026, 2, 27),
            parent_names="Jo Smyth",
        )

    saved, bulk = deletion("DEL-SAVED01"), deletion("DEL-BULK001")
    _in_request(officer, saved.save)
    _in_request(officer, lambda: bulk_insert_with_audit([bulk], by=officer))

    stored = DeletionReturn.objects.get(pk=bulk.pk)
    assert (stored.reference, stored.surname, stored.deletion_date) == (
        "DEL-BULK001",
        "Smyth",
        date(2026, 2, 27),
    )
    # save() of a child model writes one entry, for the child model; so does the bulk insert.
    assert not LogEntry.objects.get_for_object(Submission.objects.get(pk=bulk.pk)).exists()
    _assert_same_entry(
        saved, bulk, row_fields={"id", "submission_ptr", "public_id", "reference", "object_repr"}
    )


def test_nothing_is_logged_while_auditlog_is_switched_off(officer: User) -> None:
    child = ChildFactory()
    row = OtherName(child=child, forenames="Amy", surname="Smyth")
    with disable_auditlog():
        bulk_insert_with_audit([row], by=officer)
    assert row.pk is not None
    assert not LogEntry.objects.get_for_object(row).exists()


def test_rows_of_two_models_at_once_are_refused(officer: User) -> None:
    child = ChildFactory()
    with pytest.raises(TypeError, match="one model"):
        bulk_insert_with_audit(
            [OtherName(child=child, surname="A"), child],
            by=officer,
        )
