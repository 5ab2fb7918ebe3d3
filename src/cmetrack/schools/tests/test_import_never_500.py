"""A GIAS extract with hostile cells never fails the import (issue 9): over-long names and
postcodes, NULs, unicode and bad codes are row errors, and what is written fits its columns
(PostgreSQL would refuse it; SQLite would keep it). Nothing but GiasFileError comes out."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.schools.gias import GiasFileError
from cmetrack.schools.models import School
from cmetrack.schools.services import schools_import_gias
from cmetrack.testing.hostile import NEVER_500, hostile_text, row_counts, undone

pytestmark = pytest.mark.django_db

GOOD = {
    "URN": "900101",
    "LA (code)": "343",
    "LA (name)": "Sefton",
    "EstablishmentNumber": "2001",
    "EstablishmentName": "Bootle Marsh Primary School",
    "TypeOfEstablishment (name)": "Community school",
    "EstablishmentStatus (name)": "Open",
    "OpenDate": "01-09-2012",
    "CloseDate": "",
    "PhaseOfEducation (name)": "Primary",
    "Postcode": "L20 7AE",
}
LONG = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "é", "9", " a"]),
    st.integers(min_value=3, max_value=400),
)


@st.composite
def extracts(draw: st.DrawFn) -> bytes:
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=3))):
        row = {**GOOD, "URN": f"90010{n}"}
        for column in draw(st.lists(st.sampled_from(sorted(GOOD)), unique=True, max_size=4)):
            row[column] = draw(LONG | hostile_text).replace("\x00", "")  # csv cannot write a NUL
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(GOOD))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@NEVER_500
@given(data=extracts(), valid_only=st.booleans())
def test_a_hostile_gias_extract_is_refused_or_stored_within_the_columns(
    data: bytes, valid_only: bool
) -> None:
    with undone():
        before = row_counts()
        try:
            result = schools_import_gias(path_or_file=data, commit=True, valid_only=valid_only)
        except GiasFileError as refused:
            assert str(refused)
            assert row_counts() == before
            return
        if not result.committed:
            assert row_counts() == before
        for school in School.objects.all():
            for field in School._meta.concrete_fields:
                value = getattr(school, field.attname)
                if isinstance(field, models.CharField) and field.max_length and value:
                    assert len(value) <= field.max_length, (field.name, value)
