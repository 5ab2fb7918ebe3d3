"""The case list and the task list as CSV and XLSX: the rows the page shows, all its pages."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, Task
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.testing.factories import AddressFactory, CaseFactory, SchoolFactory, reason

LIST_CSV = reverse("cases:list-export", args=["csv"])
TASKS_CSV = reverse("cases:tasks-export", args=["csv"])


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def download_entry(user: User, view: str) -> LogEntry:
    user_type = ContentType.objects.get_for_model(User)
    return LogEntry.objects.get(
        content_type=user_type, object_id=user.pk, additional_data__view=view
    )


def child_accesses() -> list[int]:
    child_type = ContentType.objects.get_for_model(Child)
    return sorted(
        LogEntry.objects.filter(content_type=child_type, action=LogEntry.Action.ACCESS).values_list(
            "object_id", flat=True
        )
    )


# --- the case list -----------------------------------------------------------------------


def test_the_case_list_exports_every_page_not_just_the_first(officer: User) -> None:
    cases = [CaseFactory() for _ in range(30)]  # the page shows 25
    rows = rows_of(client_for(officer).get(LIST_CSV))
    assert sorted(r["Reference"] for r in rows) == sorted(c.reference for c in cases)


def test_the_case_list_export_has_the_childs_details_for_the_team(officer: User) -> None:
    school = SchoolFactory(name="Alder School")
    case = CaseFactory(
        child__forenames="Ada",
        child__surname="Lovelace",
        child__date_of_birth=date(2015, 3, 27),
        child__upn="A123456789012",
        last_school=school,
        referral_date=date(2026, 3, 1),
        primary_reason=reason("whereabouts-unknown"),
    )
    AddressFactory(child=case.child, postcode="L20 7AE", date_to=date(2025, 1, 1))
    AddressFactory(child=case.child, postcode="L30 1AA")
    (row,) = rows_of(client_for(officer).get(LIST_CSV))
    assert row["Child"] == "Ada Lovelace"
    assert row["Date of birth"] == "2015-03-27"
    assert row["UPN"] == "A123456789012"
    assert row["Postcode"] == "L30 1AA"  # the current address, not the ended one
    assert row["Referred"] == "2026-03-01"
    assert row["Last school"] == "Alder School"
    assert row["Last school URN"] == school.urn
    assert row["Main reason"] == reason("whereabouts-unknown").label
    assert row["Officer"] == "Unassigned"


def test_personal_no_drops_the_personal_columns(officer: User) -> None:
    CaseFactory(child__forenames="Ada", child__surname="Lovelace", child__upn="A123456789012")
    response = client_for(officer).get(LIST_CSV, {"personal": "no"})
    (row,) = rows_of(response)
    assert not {"Child", "Date of birth", "UPN", "Postcode"} & set(row)
    assert "Lovelace" not in response.content.decode("utf-8-sig")
    assert download_entry(officer, "case list export").additional_data["personal_columns"] is False


def test_the_case_list_filters_apply_to_the_export(officer: User) -> None:
    alder, birch = SchoolFactory(), SchoolFactory()
    wanted = CaseFactory(last_school=alder, status="enquiries")
    CaseFactory(last_school=alder, status="referred")
    CaseFactory(last_school=birch, status="enquiries")
    rows = rows_of(
        client_for(officer).get(LIST_CSV, {"last_school": str(alder.pk), "status": "enquiries"})
    )
    assert [r["Reference"] for r in rows] == [wanted.reference]
    entry = download_entry(officer, "case list export")
    assert entry.additional_data["filters"] == ["last_school", "status"]
    assert entry.additional_data["rows"] == 1


def test_a_search_exports_only_what_it_found_and_keeps_its_words_out_of_the_log(
    officer: User,
) -> None:
    found = CaseFactory(child__surname="Quillfeather")
    CaseFactory(child__surname="Other")
    client = client_for(officer)
    address = client.post(reverse("cases:list"), {"q": "Quillfeather"})["Location"]
    query = address.split("?", 1)[1]
    rows = rows_of(client.get(f"{LIST_CSV}?{query}"))
    assert [r["Reference"] for r in rows] == [found.reference]
    entry = download_entry(officer, "case list export")
    assert "Quillfeather" not in str(entry.additional_data)
    assert entry.additional_data["filters"] == ["q"]


def test_an_expired_search_gives_the_list_not_a_file_of_every_case(officer: User) -> None:
    CaseFactory(child__surname="Quillfeather")
    address = client_for(officer).post(reverse("cases:list"), {"q": "Quillfeather"})["Location"]
    query = address.split("?", 1)[1]
    response = client_for(officer).get(f"{LIST_CSV}?{query}")  # another session
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:list"))
    assert not LogEntry.objects.filter(additional_data__view="case list export").exists()


def test_the_case_list_export_is_audited_once_and_once_per_child(officer: User) -> None:
    first = CaseFactory()
    # The same child on two cases: one entry for the child.
    CaseFactory(child=first.child, status="closed", outcome="on_roll_here", closed_on=date.today())
    second = CaseFactory()
    response = client_for(officer).get(reverse("cases:list-export", args=["xlsx"]))
    assert response.status_code == 200
    entry = download_entry(officer, "case list export")
    assert entry.additional_data["rows"] == 3
    assert entry.additional_data["format"] == "xlsx"
    assert child_accesses() == sorted([first.child_id, second.child_id])
    child_type = ContentType.objects.get_for_model(Child)
    seen = LogEntry.objects.filter(content_type=child_type, action=LogEntry.Action.ACCESS)
    assert {e.additional_data["page"] for e in seen} == {"cases:list-export"}
    assert {e.actor_id for e in seen} == {officer.pk}


def test_the_xlsx_export_opens_with_dates_as_dates(officer: User) -> None:
    CaseFactory(referral_date=date(2026, 3, 1), child__date_of_birth=date(2015, 3, 27))
    response = client_for(officer).get(reverse("cases:list-export", args=["xlsx"]))
    assert response["Content-Disposition"].startswith('attachment; filename="case-list-')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert row["Referred"].date() == date(2026, 3, 1)
    assert row["Date of birth"].date() == date(2015, 3, 27)


def test_a_child_named_as_a_formula_stays_text(officer: User) -> None:
    CaseFactory(child__forenames='=HYPERLINK("http://x")', child__surname="+1")
    (row,) = rows_of(client_for(officer).get(LIST_CSV))
    assert row["Child"] == '\'=HYPERLINK("http://x") +1'


@pytest.mark.parametrize("fmt", ["xls", "html", "CSV", "csv.exe"])
def test_an_unknown_format_is_not_found(officer: User, fmt: str) -> None:
    response = client_for(officer).get(reverse("cases:list-export", args=[fmt]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_partners_are_refused_the_case_and_task_exports(
    db: None, persona: str, request: pytest.FixtureRequest
) -> None:
    CaseFactory()
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LIST_CSV).status_code == 403
    assert client.get(TASKS_CSV).status_code == 403
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_export_is_read_only(officer: User) -> None:
    assert client_for(officer).post(LIST_CSV).status_code == 405
    assert client_for(officer).post(TASKS_CSV).status_code == 405


def test_the_list_page_links_to_its_export_with_its_filters(officer: User) -> None:
    school = SchoolFactory()
    page = client_for(officer).get(reverse("cases:list"), {"last_school": school.pk, "page": 1})
    html = page.content.decode()
    assert f"{LIST_CSV}?last_school={school.pk}" in html
    assert "personal=no" in html


# --- the task list ---------------------------------------------------------------------------


def _task(case: Case, title: str, due: date, to: User | None) -> Task:
    return Task.objects.create(case=case, kind="manual", title=title, due_on=due, assigned_to=to)


def test_the_task_export_follows_the_window_and_whose_tasks(officer: User, manager: User) -> None:
    today = timezone.localdate()
    case = CaseFactory(child__forenames="Ada", child__surname="Lovelace")
    _task(case, "Mine overdue", today - timedelta(days=3), officer)
    _task(case, "Theirs overdue", today - timedelta(days=2), manager)
    _task(case, "Mine today", today, officer)
    client = client_for(officer)
    mine = rows_of(client.get(TASKS_CSV))  # the page's default: mine, overdue
    assert [r["Task"] for r in mine] == ["Mine overdue"]
    assert mine[0]["Child"] == "Ada Lovelace"
    assert mine[0]["Case reference"] == case.reference
    team = rows_of(client.get(TASKS_CSV, {"show": "overdue", "who": "team"}))
    assert sorted(r["Task"] for r in team) == ["Mine overdue", "Theirs overdue"]
    today_rows = rows_of(client.get(TASKS_CSV, {"show": "today"}))
    assert [r["Task"] for r in today_rows] == ["Mine today"]
    entries = LogEntry.objects.filter(additional_data__view="task list export").order_by("pk")
    assert [e.additional_data["rows"] for e in entries] == [1, 2, 1]
    assert entries[1].additional_data["who"] == "team"


def test_the_task_export_without_personal_details_has_no_child_name(officer: User) -> None:
    case = CaseFactory(child__surname="Lovelace")
    _task(case, "Call", timezone.localdate() - timedelta(days=1), officer)
    response = client_for(officer).get(TASKS_CSV, {"personal": "no"})
    (row,) = rows_of(response)
    assert "Child" not in row and "Lovelace" not in response.content.decode("utf-8-sig")
    assert child_accesses() == [case.child_id]


def test_a_hostile_task_title_stays_text(officer: User) -> None:
    _task(CaseFactory(), "@SUM(1+1)*cmd", timezone.localdate() - timedelta(days=1), officer)
    (row,) = rows_of(client_for(officer).get(TASKS_CSV))
    assert row["Task"] == "'@SUM(1+1)*cmd"


def _queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_exports_queries_do_not_grow_with_the_rows(officer: User) -> None:
    """Child, school, officer and postcode come in the list's one query (a chunk at a time),
    and the audit entries in one insert per thousand: not a query per row."""
    today = timezone.localdate()
    client = client_for(officer)

    def add(n: int) -> None:
        for _ in range(n):
            case = CaseFactory(last_school=SchoolFactory(), assigned_to=officer)
            AddressFactory(child=case.child)
            _task(case, "Call", today - timedelta(days=1), officer)

    add(2)
    _queries_for(client, LIST_CSV)  # the session and the content types' cache, once
    few = (_queries_for(client, LIST_CSV), _queries_for(client, TASKS_CSV))
    add(12)
    many = (_queries_for(client, LIST_CSV), _queries_for(client, TASKS_CSV))
    assert many == few


def test_a_head_request_gets_the_headers_but_exports_and_records_nothing(officer: User) -> None:
    CaseFactory(child__surname="Lovelace")
    response = client_for(officer).head(LIST_CSV)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="case-list-')
    assert b"Lovelace" not in response.content
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_search_words_in_the_export_url_are_sent_through_the_list_first(officer: User) -> None:
    CaseFactory(child__surname="Quillfeather")
    response = client_for(officer).get(LIST_CSV, {"q": "Quillfeather"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:list"))
    assert not LogEntry.objects.filter(additional_data__view="case list export").exists()
