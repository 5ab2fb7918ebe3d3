"""The register migration's pages: the CME team alone (403 for every other role on every page,
404 for a migration that does not exist), the whole journey through the pages on a small file
(upload, columns, codes, preview, import, undo), and a file that cannot be read writing
nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.register_import.forms import UNDECIDED
from cmetrack.register_import.models import MigrationState, RegisterMigration
from cmetrack.register_import.services import migration_upload
from cmetrack.schooldays.services import term_dates_load_bundled
from cmetrack.testing.factories import ChildFactory

pytestmark = pytest.mark.django_db

HEADER = "Case ID,Child Name,DOB,Date Referred,Reason,Status,Outcome,Date Closed,Case Notes"
ROWS = [
    'C-1,"OKAFOR, Grace",03/04/2014,06/10/2025,Whereabouts unknown,Open,,,'
    '"07/10/2025 Letter to parent; 09/10/2025 Home visit: no answer"',
    "C-2,Tom Baker,2013-09-01,2025-11-03,Moved abroad,Closed,Moved abroad,2025-12-01,",
    'C-3,"SMITH, Ava",1 Feb 2015,20 Oct 2025,Family breakdown,Open,,,',
]
# Which field each column holds, as the officer confirms it on the column step.
MAPPING = [
    "legacy_reference",
    "full_name",
    "date_of_birth",
    "referral_date",
    "reason",
    "status",
    "outcome",
    "closed_on",
    "notes",
]
# What the officer chooses for each distinct value cmetrack did not suggest.
CHOSEN = {
    "whereabouts unknown": "whereabouts-unknown",
    "moved abroad": "moved-abroad-believed",
    "family breakdown": "family-breakdown",
    "open": "enquiries",
    "closed": "closed",
}


@pytest.fixture(autouse=True)
def term_dates(db: None) -> None:
    term_dates_load_bundled()


def register_csv(rows: list[str] = ROWS) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def uploaded(by: User) -> RegisterMigration:
    return migration_upload(data=register_csv(), filename="register.csv", by=by)


def column_post() -> dict[str, str]:
    return {f"col_{i}": field for i, field in enumerate(MAPPING)}


def codes_post(client: Client, batch: RegisterMigration) -> dict[str, str]:
    """The code step's form as the page offers it, each undecided value decided."""
    form = client.get(reverse("register_import:codes", args=[batch.public_id])).context["form"]
    data: dict[str, str] = {}
    for name, field in form.fields.items():
        value = str(form[name].value() or "")
        if value == UNDECIDED:
            label = str(field.label).casefold()
            outcome = name.startswith("code_outcome_")
            value = "moved_abroad" if outcome else CHOSEN.get(label, "")
        data[name] = value
    return data


# --- who may ---------------------------------------------------------------------------------


def _urls(batch: RegisterMigration) -> list[tuple[str, str]]:
    by_id = [
        reverse(f"register_import:{name}", args=[batch.public_id])
        for name in ("detail", "columns", "codes", "undo")
    ]
    return [
        ("GET", reverse("register_import:list")),
        ("GET", reverse("register_import:upload")),
        ("POST", reverse("register_import:upload")),
        *(("GET", url) for url in by_id),
        *(("POST", url) for url in by_id),
        ("POST", reverse("register_import:commit", args=[batch.public_id])),
    ]


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_every_page_refuses_anyone_outside_the_cme_team(
    request: pytest.FixtureRequest, officer: User, persona: str
) -> None:
    batch = uploaded(officer)
    client = client_for(request.getfixturevalue(persona))
    entries = LogEntry.objects.count()

    answers = {(m, u): getattr(client, m.lower())(u).status_code for m, u in _urls(batch)}

    assert set(answers.values()) == {403}, answers
    assert LogEntry.objects.count() == entries
    assert RegisterMigration.objects.get().state == MigrationState.READ


def test_a_migration_that_does_not_exist_is_not_found(officer: User) -> None:
    client = client_for(officer)
    url = reverse("register_import:detail", args=["00000000-0000-4000-8000-000000000000"])

    assert client.get(url).status_code == 404


# --- the journey -------------------------------------------------------------------------------


def test_an_officer_migrates_a_small_register_through_the_pages_and_undoes_it(
    officer: User,
) -> None:
    client = client_for(officer)

    answer = client.post(
        reverse("register_import:upload"),
        {"file": SimpleUploadedFile("register.csv", register_csv(), content_type="text/csv")},
    )
    batch = RegisterMigration.objects.get()
    assert answer["Location"] == reverse("register_import:columns", args=[batch.public_id])

    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert b"OKAFOR, Grace" in page.content  # a sample value beside its heading
    answer = client.post(answer["Location"], column_post())
    assert answer.status_code == 302, answer.context["form"].errors

    answer = client.post(answer["Location"], codes_post(client, batch))
    assert answer.status_code == 302, answer.context["form"].errors
    preview = client.get(answer["Location"])
    assert preview.context["summary"]["valid"] == 3, preview.context["summary"]
    assert b"Import all 3 cases" in preview.content

    answer = client.post(reverse("register_import:commit", args=[batch.public_id]))
    result = client.get(answer["Location"])
    assert b"Register imported" in result.content
    assert Case.objects.count() == 3
    grace = Case.objects.get(child__surname__iexact="Okafor")
    assert grace.referral_date.isoformat() == "2025-10-06"
    assert {e.payload.get("text") for e in grace.events.filter(kind="note_added")} >= {
        "Letter to parent"
    } or grace.events.filter(kind="note_added").count() == 2

    undo_url = reverse("register_import:undo", args=[batch.public_id])
    assert b"This removes the 3 cases" in client.get(undo_url).content
    answer = client.post(undo_url)
    assert answer.status_code == 302
    assert not Case.objects.exists() and not Child.objects.exists()
    batch.refresh_from_db()
    assert batch.state == MigrationState.UNDONE


def test_the_column_step_refuses_a_mapping_without_a_name_and_says_why(officer: User) -> None:
    batch = uploaded(officer)
    client = client_for(officer)
    data = column_post()
    data["col_1"] = ""  # the name column: not imported

    page = client.post(reverse("register_import:columns", args=[batch.public_id]), data)

    assert page.status_code == 200
    assert page.context["form"].non_field_errors()
    batch.refresh_from_db()
    assert not batch.columns_confirmed


def test_the_column_step_refuses_one_field_for_two_columns(officer: User) -> None:
    batch = uploaded(officer)
    data = column_post()
    data["col_2"] = "referral_date"  # the date of birth column, mapped as the referral date

    page = client_for(officer).post(
        reverse("register_import:columns", args=[batch.public_id]), data
    )

    assert "already chosen for column" in str(page.context["form"].errors["col_3"])


def test_the_code_step_refuses_a_value_left_undecided(officer: User) -> None:
    batch = uploaded(officer)
    client = client_for(officer)
    client.post(reverse("register_import:columns", args=[batch.public_id]), column_post())
    data = codes_post(client, batch)
    undecided = next(name for name in data if name.startswith("code_reason_"))
    data[undecided] = UNDECIDED

    page = client.post(reverse("register_import:codes", args=[batch.public_id]), data)

    assert page.status_code == 200
    assert undecided in page.context["form"].errors
    batch.refresh_from_db()
    assert batch.state == MigrationState.MAPPED and not batch.codes_confirmed


def test_the_code_step_takes_no_value_as_a_decision_and_the_blank_default_for_it(
    officer: User,
) -> None:
    batch = uploaded(officer)
    client = client_for(officer)
    client.post(reverse("register_import:columns", args=[batch.public_id]), column_post())
    data = codes_post(client, batch)
    family = next(
        name
        for name, field in client.get(reverse("register_import:codes", args=[batch.public_id]))
        .context["form"]
        .fields.items()
        if str(field.label) == "family breakdown"
    )
    data[family] = ""  # "No value": the row takes the value for a blank cell
    data["default_reason"] = "other"

    answer = client.post(reverse("register_import:codes", args=[batch.public_id]), data)

    assert answer.status_code == 302
    batch.refresh_from_db()
    assert batch.code_mapping["reason"]["family breakdown"] == ""
    assert batch.summary["valid"] == 3


def test_a_value_mapped_to_no_value_needs_the_blank_default_of_a_required_list(
    officer: User,
) -> None:
    batch = uploaded(officer)
    client = client_for(officer)
    client.post(reverse("register_import:columns", args=[batch.public_id]), column_post())
    data = codes_post(client, batch)
    data[next(n for n in data if n.startswith("code_reason_"))] = ""
    data["default_reason"] = ""

    page = client.post(reverse("register_import:codes", args=[batch.public_id]), data)

    assert page.status_code == 200
    assert "choose the value for a blank cell" in str(page.context["form"].non_field_errors())
    assert b"There is a problem" in page.content


def test_the_preview_names_a_child_already_held_and_audits_the_view(officer: User) -> None:
    held = ChildFactory(forenames="Grace", surname="Okafor", upn="")
    held.date_of_birth = date(2014, 4, 3)
    held.save()
    batch = uploaded(officer)
    client = client_for(officer)
    client.post(reverse("register_import:columns", args=[batch.public_id]), column_post())
    client.post(reverse("register_import:codes", args=[batch.public_id]), codes_post(client, batch))

    page = client.get(reverse("register_import:detail", args=[batch.public_id]))

    assert b"Grace Okafor, already held" in page.content
    assert LogEntry.objects.get_for_object(held).filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("register.csv", b""),
        ("register.xlsx", b"PK\x03\x04 not really a zip"),
        ("register.csv", b"\x00\x01\x02\xff\xfe" * 200),
    ],
    ids=["empty", "broken-xlsx", "binary"],
)
def test_a_file_that_cannot_be_read_is_refused_and_writes_nothing(
    officer: User, name: str, content: bytes
) -> None:
    entries = LogEntry.objects.count()

    page = client_for(officer).post(
        reverse("register_import:upload"), {"file": SimpleUploadedFile(name, content)}
    )

    assert page.status_code == 200
    assert page.context["form"].errors["file"]
    assert not RegisterMigration.objects.exists()
    assert LogEntry.objects.count() == entries


def _summary(batch: RegisterMigration) -> dict[str, Any]:
    return RegisterMigration.objects.get(pk=batch.pk).summary


def test_a_large_file_is_checked_and_imported_by_a_task_with_its_progress(
    officer: User, settings: Any
) -> None:
    settings.CMETRACK_IMPORT_BACKGROUND_ROWS = 2  # the tests run tasks at once
    batch = uploaded(officer)
    client = client_for(officer)
    client.post(reverse("register_import:columns", args=[batch.public_id]), column_post())
    client.post(reverse("register_import:codes", args=[batch.public_id]), codes_post(client, batch))
    assert _summary(batch)["valid"] == 3

    client.post(reverse("register_import:commit", args=[batch.public_id]))

    batch.refresh_from_db()
    assert batch.state == MigrationState.COMMITTED
    assert (batch.progress_done, batch.progress_total) == (3, 3)
    assert Case.objects.count() == 3


def test_the_page_of_a_migration_being_worked_on_shows_its_progress_and_reloads_itself(
    officer: User,
) -> None:
    batch = uploaded(officer)
    RegisterMigration.objects.filter(pk=batch.pk).update(
        state=MigrationState.CHECKING, progress_done=1, progress_total=3
    )

    page = client_for(officer).get(reverse("register_import:detail", args=[batch.public_id]))

    assert page["Refresh"] == "3"
    assert b"Checking the rows: <strong>1 of 3</strong> (33%)" in page.content


def test_the_list_shows_each_migration_with_its_state(officer: User) -> None:
    uploaded(officer)

    page = client_for(officer).get(reverse("register_import:list"))

    assert b"register.csv" in page.content and b"Mapping" in page.content


def test_the_preview_lists_a_warning_many_rows_share_once_with_its_rows(officer: User) -> None:
    header = "Child Name,DOB,Date Referred,Reason,Status,Postcode"
    rows = [
        f'"PUPIL{i}, Sam",03/04/2014,06/10/2025,Whereabouts unknown,Open,XX1' for i in range(15)
    ]
    data = ("\n".join([header, *rows]) + "\n").encode()
    batch = migration_upload(data=data, filename="register.csv", by=officer)
    client = client_for(officer)
    client.post(
        reverse("register_import:columns", args=[batch.public_id]),
        {f"col_{i}": f for f, i in batch.column_mapping.items()},  # the guess, confirmed
    )
    client.post(reverse("register_import:codes", args=[batch.public_id]), codes_post(client, batch))

    page = client.get(reverse("register_import:detail", args=[batch.public_id]))

    postcode = [w for w in page.context["warnings"] if w[0] == "postcode"]
    assert len(postcode) == 1
    _field, message, count, named = postcode[0]
    assert "XX1" in message
    assert count == 15
    assert named == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 3 more"
    assert page.context["warning_count"] >= 15
