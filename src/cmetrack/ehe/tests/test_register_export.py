"""The EHE register as CSV and XLSX: the EHE team's and managers', with the page's filters."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.ehe.models import EheRecord, Source
from cmetrack.ehe.services import EheStart, ehe_record_open
from cmetrack.testing.factories import ChildFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("cmetrack.ehe.tests.urls")]

TODAY = timezone.localdate()


def csv_url() -> str:
    return reverse("ehe:register-export", args=["csv"])


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def put_on(by: User, forenames: str, *, review_in: int, started: int = 40) -> EheRecord:
    child = ChildFactory(forenames=forenames, surname="Register", date_of_birth=date(2014, 5, 1))
    start = EheStart(
        start_date=TODAY - timedelta(days=started),
        source=Source.PARENT_NOTICE,
        next_review_due=TODAY + timedelta(days=review_in),
    )
    return ehe_record_open(start=start, child=child, by=by)


def test_the_register_export_has_every_record_with_the_childs_details(
    ehe_officer: User,
) -> None:
    records = [put_on(ehe_officer, f"Child{i}", review_in=30 + i) for i in range(30)]
    rows = rows_of(client_for(ehe_officer).get(csv_url()))
    assert sorted(r["Reference"] for r in rows) == sorted(r.reference for r in records)
    first = next(r for r in rows if r["Reference"] == records[0].reference)
    assert first["Child"] == "Child0 Register"
    assert first["Date of birth"] == "2014-05-01"
    assert first["Status"] == "On the register"
    assert first["Next review due"] == (TODAY + timedelta(days=30)).isoformat()
    entry = LogEntry.objects.get(additional_data__view="ehe register export")
    assert entry.additional_data["rows"] == 30
    child_type = ContentType.objects.get_for_model(Child)
    exported = LogEntry.objects.filter(
        content_type=child_type, additional_data__export="Elective home education register"
    )
    assert sorted(exported.values_list("object_id", flat=True)) == sorted(
        r.child_id for r in records
    )


def test_the_register_filters_apply_to_the_export(ehe_officer: User) -> None:
    overdue = put_on(ehe_officer, "Rosa", review_in=-3)
    put_on(ehe_officer, "Otto", review_in=200)
    rows = rows_of(client_for(ehe_officer).get(csv_url(), {"review": "overdue"}))
    assert [r["Reference"] for r in rows] == [overdue.reference]
    entry = LogEntry.objects.get(additional_data__view="ehe register export")
    assert entry.additional_data["review"] == "overdue"
    ended = rows_of(client_for(ehe_officer).get(csv_url(), {"status": "ended"}))
    assert ended == []


def test_a_manager_may_export_the_register(ehe_officer: User, manager: User) -> None:
    put_on(ehe_officer, "Rosa", review_in=30)
    response = client_for(manager).get(reverse("ehe:register-export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert row["Child"] == "Rosa Register"
    assert row["Home educated from"].date() == TODAY - timedelta(days=40)


def test_without_personal_details_the_export_names_no_child(ehe_officer: User) -> None:
    put_on(ehe_officer, "Rosa", review_in=30)
    response = client_for(ehe_officer).get(csv_url(), {"personal": "no"})
    (row,) = rows_of(response)
    assert not {"Child", "Date of birth", "UPN"} & set(row)
    assert "Rosa" not in response.content.decode("utf-8-sig")


def test_a_cme_officer_reads_the_register_but_may_not_export_it(
    ehe_officer: User, officer: User
) -> None:
    put_on(ehe_officer, "Rosa", review_in=30)
    client = client_for(officer)
    page = client.get(reverse("ehe:register"))
    assert page.status_code == 200 and csv_url() not in page.content.decode()
    assert client.get(csv_url()).status_code == 403
    assert not LogEntry.objects.filter(additional_data__view="ehe register export").exists()


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_are_refused_the_register_export(
    persona: str, request: pytest.FixtureRequest
) -> None:
    assert client_for(request.getfixturevalue(persona)).get(csv_url()).status_code == 403


def test_the_register_page_links_to_its_export_with_its_filters(ehe_officer: User) -> None:
    page = client_for(ehe_officer).get(reverse("ehe:register"), {"review": "overdue"})
    assert f"{csv_url()}?review=overdue" in page.content.decode()


def test_a_child_named_as_a_formula_stays_text_in_the_register(ehe_officer: User) -> None:
    put_on(ehe_officer, "-2+3", review_in=30)
    (row,) = rows_of(client_for(ehe_officer).get(csv_url()))
    assert row["Child"] == "'-2+3 Register"
