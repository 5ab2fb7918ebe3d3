"""A return file with hostile cells never fails the import (issue 9): a 300-character surname,
a 20,000-character address, NULs, unicode and impossible dates are row errors in the preview, or
are stored within the columns' limits at commit. Nothing but ImportRefused or UnreadableFile
ever comes out of `import_upload` and `import_commit`, and a refused commit writes nothing.
Run it on PostgreSQL too: that is where an over-long value fails the commit."""

import csv
import io
from datetime import timedelta
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS, UnreadableFile
from cmetrack.referrals.importing.tests.helpers import GOOD_DELETION, GOOD_NEW_PUPIL
from cmetrack.referrals.imports import ImportRefused, import_commit, import_upload
from cmetrack.referrals.models import DeletionReturn, NewPupilReturn, Submission
from cmetrack.testing.hostile import NEVER_500, hostile_text, row_counts, undone

# What a school's MIS or a person typing might put in a cell: mostly long text, the rest nasty.
LONG = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "é", "Ω", "\U0001f600", " a"]),
    st.integers(min_value=90, max_value=5000),
)
CELL = st.one_of(LONG, hostile_text, st.text(max_size=40))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def return_files(draw: st.DrawFn, urn: str) -> bytes:
    today = timezone.localdate()
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=3))):
        base = dict(draw(st.sampled_from([GOOD_DELETION, GOOD_NEW_PUPIL])))
        base.update(school_urn=urn, surname=f"{base['surname']}{n}", upn="")
        base["deletion_date" if base["return_type"] == "deletion" else "start_date"] = (
            today + timedelta(days=1)
        ).isoformat()
        for column in draw(st.lists(st.sampled_from(TEMPLATE_COLUMNS), unique=True, max_size=5)):
            base[column] = draw(CELL).replace("\x00", "")  # csv cannot write a NUL
        rows.append(base)
    return _csv(rows)


def _stored_within_limits() -> None:
    """SQLite keeps a value of any length, so look: every stored text fits its column."""
    for model in (DeletionReturn, NewPupilReturn):
        for row in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                if isinstance(field, models.CharField) and field.max_length and value:
                    assert len(value) <= field.max_length, (field.name, len(value))


def _import_never_fails(user: User, urn: str) -> None:
    client = client_for(user)

    @NEVER_500
    @given(data=return_files(urn), valid_only=st.booleans())
    def check(data: bytes, valid_only: bool) -> None:
        with undone():
            try:
                batch, preview = import_upload(data=data, filename="returns.csv", by=user)
            except (ImportRefused, UnreadableFile) as refused:
                assert str(refused)
                event("upload refused")
                return
            page = client.get(reverse("referrals:import-preview", args=[batch.public_id]))
            assert page.status_code == 200
            if preview is None:
                event("unreadable")
                return
            before = row_counts()
            try:
                import_commit(batch=batch, valid_only=valid_only, by=user)
            except ImportRefused as refused:
                assert str(refused)
                assert row_counts() == before
                event("commit refused")
                return
            written = Submission.objects.filter(import_batch=batch).count()
            assert written == len(preview.valid_rows())
            _stored_within_limits()
            event(f"committed, {len(preview.errors)} row error(s)")

    check()


def test_a_schools_import_never_fails(school_user: User) -> None:
    assert school_user.organisation and school_user.organisation.school
    _import_never_fails(school_user, school_user.organisation.school.urn)


def test_the_teams_import_never_fails(officer: User, school_user: User) -> None:
    assert school_user.organisation and school_user.organisation.school
    _import_never_fails(officer, school_user.organisation.school.urn)


def test_a_300_character_surname_is_a_row_error_not_a_failed_commit(school_user: User) -> None:
    assert school_user.organisation and school_user.organisation.school
    row: dict[str, Any] = {
        **GOOD_DELETION,
        "school_urn": school_user.organisation.school.urn,
        "surname": "x" * 300,
        "deletion_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    _, preview = import_upload(data=_csv([row]), filename="r.csv", by=school_user)
    assert preview is not None
    assert [e.field for e in preview.errors] == ["surname"], preview.errors
    assert "100 characters or fewer" in preview.errors[0].message
