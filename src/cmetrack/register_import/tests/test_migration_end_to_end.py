"""Issue 16's proof: a 2,000-row spreadsheet register with messy columns (a title row, one
merged name column in mixed forms, dates in three formats, free-text reasons, statuses and
outcomes, dated notes in one cell) migrated through the services the pages use, with the column
and code mappings cmetrack suggests, the valid rows committed by the worker; then a second
import of the same file finds every row already known and would write nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.cases.status import Status
from cmetrack.children.models import Child
from cmetrack.register_import.models import MigratedRow, MigrationState, RegisterMigration
from cmetrack.register_import.services import (
    migration_check_request,
    migration_commit_request,
    migration_confirm_codes,
    migration_confirm_columns,
    migration_upload,
)
from cmetrack.register_import.services.steps import mapping_from_json
from cmetrack.register_import.testing import DEFAULTS, Truth, messy_register
from cmetrack.schooldays.services import term_dates_load_bundled

pytestmark = pytest.mark.django_db

ROWS = 2000


def _through_the_steps(data: bytes, by: User) -> RegisterMigration:
    """Upload, accept the guessed columns and the suggested codes (a value cmetrack is unsure
    of taken as "no value", so it gets the default, as the generator's truth expects), check."""
    batch = migration_upload(data=data, filename="old-cme-register.xlsx", by=by)
    batch = migration_confirm_columns(
        batch=batch, mapping=mapping_from_json(batch.column_mapping), by=by
    )
    batch = migration_confirm_codes(
        batch=batch,
        codes=batch.code_mapping,
        defaults={field.value: code for field, code in DEFAULTS.items()},
        by=by,
    )
    migration_check_request(batch=batch, by=by)  # over the background limit: the worker checks
    return RegisterMigration.objects.get(pk=batch.pk)


def test_a_messy_2000_row_register_migrates_and_a_second_import_finds_every_row_known(
    officer: User,
) -> None:
    term_dates_load_bundled()
    data, truth = messy_register(ROWS, seed=16, fmt="xlsx", today=timezone.localdate())
    good: list[Truth] = [t for t in truth if not t.error]

    first = _through_the_steps(data, officer)

    assert first.state == MigrationState.CHECKED
    assert {row for row, _field, _message in first.summary["errors"]} == {
        t.row for t in truth if t.error
    }
    assert first.summary["valid"] == len(good)
    migration_commit_request(batch=first, valid_only=True, by=officer)
    first.refresh_from_db()
    assert first.state == MigrationState.COMMITTED, first.summary.get("commit_refused")
    assert first.summary["committed"] == len(good)

    # Every valid row is a case, on the child its row names, as the old register held it.
    migrated = {
        r.row: r
        for r in MigratedRow.objects.filter(batch=first).select_related(
            "case__primary_reason", "child"
        )
    }
    assert set(migrated) == {t.row for t in good}
    for expected in good:
        case = migrated[expected.row].case
        assert case is not None
        assert case.referral_date == expected.referral_date, expected.row
        assert case.primary_reason.code == expected.reason_code, expected.row
        assert case.status == expected.status, expected.row
        if expected.status == Status.CLOSED:
            assert case.outcome == expected.outcome, expected.row
        child = migrated[expected.row].child
        assert child is not None
        # The record's legal forenames hold the middle names too, as every form writes them; a
        # child's second case may write the name in capitals where the first did not.
        forenames = " ".join(n for n in (expected.forenames, expected.middle_names) if n)
        assert (child.forenames.casefold(), child.surname.casefold()) == (
            forenames.casefold(),
            expected.surname.casefold(),
        ), expected.row
        assert child.date_of_birth == expected.date_of_birth, expected.row
    notes = Counter(
        CaseEvent.objects.filter(case__in=[r.case for r in migrated.values()], kind="note_added")
        .values_list("case_id", flat=True)
        .order_by()
    )
    assert all(notes[migrated[t.row].case_id or 0] == t.notes for t in good)
    # A child's earlier (closed) and later case on the old register: one child, two cases.
    repeats = [t for t in good if t.kind == "repeat"]
    assert repeats
    # Unless one of the child's rows has no date of birth (nor UPN) to tell by: then a second
    # record is made, and the officer is told which rows may be one child.
    made_again = {t.row for t in repeats if migrated[t.row].child_created}
    told = {row for row, field, message in first.summary["warnings"] if "same name" in message}
    assert made_again <= told
    assert Child.objects.count() == len(good) - len(repeats) + len(made_again)
    assert Case.objects.count() == len(good)

    second = _through_the_steps(data, officer)

    assert second.state == MigrationState.CHECKED
    assert second.summary["known_rows"] == len(good)
    assert second.summary["valid"] == 0
    assert Case.objects.count() == len(good)  # the check wrote no case
