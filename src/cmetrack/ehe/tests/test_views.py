"""The register's pages: who may open each, what they show, that each view of a child is
audited, and that the forms call the services and keep their errors."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.children.models import Child
from cmetrack.children.services import child_flag_add
from cmetrack.conftest import client_for
from cmetrack.ehe.models import EheRecord, EheReview, Source
from cmetrack.ehe.services import EheStart, ehe_record_open, ehe_review_record
from cmetrack.testing.factories import ChildFactory, flag_type

pytestmark = [pytest.mark.django_db, pytest.mark.urls("cmetrack.ehe.tests.urls")]

TODAY = timezone.localdate()
PARTNERS = ["school_user", "agency_user", "outsider"]


@pytest.fixture
def record(ehe_officer: User) -> EheRecord:
    child = ChildFactory(forenames="Rosa", surname="Register")
    start = EheStart(start_date=TODAY - timedelta(days=40), source=Source.PARENT_NOTICE)
    return ehe_record_open(start=start, child=child, by=ehe_officer)


def _views_of(instance: Model) -> int:
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_pk=str(instance.pk),
        action=LogEntry.Action.ACCESS,
    ).count()


def _date(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


@pytest.mark.parametrize("persona", ["ehe_officer", "officer", "manager", "admin_user"])
def test_the_register_and_a_record_are_open_to_the_ehe_and_cme_teams(
    persona: str, record: EheRecord, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    page = client.get(reverse("ehe:register"))
    assert page.status_code == 200
    assert "Rosa Register" in page.content.decode()
    detail = client.get(reverse("ehe:record", args=[record.public_id]))
    assert detail.status_code == 200
    assert record.reference in detail.content.decode()


@pytest.mark.parametrize("persona", PARTNERS)
@pytest.mark.parametrize("name", ["register", "add", "record", "review", "end", "alert"])
def test_partners_are_refused_every_page(
    persona: str, name: str, record: EheRecord, request: pytest.FixtureRequest
) -> None:
    args = [] if name in {"register", "add"} else [record.public_id]
    client = client_for(request.getfixturevalue(persona))
    url = reverse(f"ehe:{name}", args=args)
    assert client.get(url).status_code == 403
    # The list and a record's page answer GET and HEAD only (require_safe, asked first).
    assert client.post(url).status_code == (405 if name in {"register", "record"} else 403)


@pytest.mark.parametrize("name", ["register", "add", "record"])
def test_anonymous_is_sent_to_sign_in(name: str, record: EheRecord) -> None:
    args = [] if name in {"register", "add"} else [record.public_id]
    response = Client().get(reverse(f"ehe:{name}", args=args))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


@pytest.mark.parametrize("persona", ["officer", "manager"])
@pytest.mark.parametrize("name", ["review", "end"])
def test_the_cme_team_may_read_but_not_work_a_record(
    persona: str, name: str, record: EheRecord, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(f"ehe:{name}", args=[record.public_id])).status_code == 403
    assert client.post(reverse(f"ehe:{name}", args=[record.public_id])).status_code == 403


def test_an_unknown_record_is_not_found(ehe_officer: User) -> None:
    url = reverse("ehe:record", args=["00000000-0000-4000-8000-000000000000"])
    assert client_for(ehe_officer).get(url).status_code == 404


def test_viewing_a_record_is_audited(ehe_officer: User, record: EheRecord) -> None:
    before_record, before_child = _views_of(record), _views_of(record.child)
    client_for(ehe_officer).get(reverse("ehe:record", args=[record.public_id]))
    assert _views_of(record) == before_record + 1
    assert _views_of(record.child) == before_child + 1


def test_the_register_list_audits_each_child_shown(ehe_officer: User, record: EheRecord) -> None:
    before = _views_of(record.child)
    client_for(ehe_officer).get(reverse("ehe:register"))
    assert _views_of(record.child) == before + 1


def test_the_register_filters_by_status_and_review_due(
    ehe_officer: User, record: EheRecord
) -> None:
    other = ChildFactory(forenames="Otto", surname="Later")
    ehe_record_open(
        start=EheStart(
            start_date=TODAY,
            source=Source.PARENT_NOTICE,
            next_review_due=TODAY + timedelta(days=200),
        ),
        child=other,
        by=ehe_officer,
    )
    client = client_for(ehe_officer)
    overdue = client.get(reverse("ehe:register"), {"review": "overdue"}).content.decode()
    assert "Rosa Register" in overdue and "Otto Later" not in overdue
    ended = client.get(reverse("ehe:register"), {"status": "ended"}).content.decode()
    assert "Rosa Register" not in ended and "No records match" in ended


def test_a_notice_entered_on_the_form_puts_the_child_on_the_register(ehe_officer: User) -> None:
    data = {
        "forenames": "Nell",
        "surname": "Notified",
        **_date("date_of_birth", TODAY.replace(year=TODAY.year - 9)),
        "sex": "F",
        "address_line_1": "3 Park Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        "parent_name": "Pat Notified",
        "parent_phone": "07700 900321",
        "source": Source.PARENT_NOTICE,
        **_date("start_date", TODAY),
        "reason": "",
        "provider": "parents",
        "provider_details": "",
        "hours_per_week": "20",
    }
    response = client_for(ehe_officer).post(reverse("ehe:add"), data)
    record = EheRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ehe:record", args=[record.public_id])
    assert record.child.full_name == "Nell Notified" and record.hours_per_week == 20


def test_an_empty_notice_form_shows_errors_and_writes_nothing(ehe_officer: User) -> None:
    response = client_for(ehe_officer).post(reverse("ehe:add"), {})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not EheRecord.objects.exists() and not Child.objects.exists()


def test_a_service_refusal_is_shown_on_the_form(ehe_officer: User, record: EheRecord) -> None:
    child = record.child
    assert child.date_of_birth is not None
    data = {
        "forenames": child.forenames,
        "surname": child.surname,
        **_date("date_of_birth", child.date_of_birth),
        "sex": "F",
        "parent_name": "Pat",
        "source": Source.PARENT_NOTICE,
        **_date("start_date", TODAY),
        "provider": "parents",
    }
    response = client_for(ehe_officer).post(reverse("ehe:add"), data)
    assert response.status_code == 200
    assert "already on the home education register" in response.content.decode()
    assert EheRecord.objects.count() == 1


def test_recording_an_unsuitable_review_moves_the_child_into_cme(
    ehe_officer: User, record: EheRecord
) -> None:
    data = {
        **_date("reviewed_on", TODAY),
        "method": EheReview.Method.HOME_VISIT,
        "outcome": EheReview.Outcome.UNSUITABLE,
        "note": "No education seen.",
    }
    response = client_for(ehe_officer).post(reverse("ehe:review", args=[record.public_id]), data)
    assert response.status_code == 302
    case = Case.objects.get(child=record.child)
    page = client_for(ehe_officer).get(response["Location"]).content.decode()
    assert case.reference in page and "judged unsuitable" in page.lower()


def test_ending_a_record_on_the_form(ehe_officer: User, record: EheRecord) -> None:
    data = {**_date("end_date", TODAY), "end_reason": "moved_away", "note": ""}
    response = client_for(ehe_officer).post(reverse("ehe:end", args=[record.public_id]), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.is_open


def test_a_manager_acknowledges_a_child_protection_alert(ehe_officer: User, manager: User) -> None:
    child = ChildFactory(forenames="Cara", surname="Plan")
    child_flag_add(child=child, flag_type=flag_type("child-protection-plan"), by=manager)
    record = ehe_record_open(
        start=EheStart(start_date=TODAY, source=Source.PARENT_NOTICE), child=child, by=ehe_officer
    )
    register = client_for(manager).get(reverse("ehe:register")).content.decode()
    assert "Needs a manager" in register and "Cara Plan" in register
    # Waiting for a manager, it leads the list, ahead of a review overdue for longer.
    ehe_record_open(
        start=EheStart(
            start_date=TODAY - timedelta(days=300),
            source=Source.PARENT_NOTICE,
            next_review_due=TODAY - timedelta(days=200),
        ),
        child=ChildFactory(forenames="Olly", surname="Overdue"),
        by=ehe_officer,
    )
    table = client_for(manager).get(reverse("ehe:register")).content.decode()
    table = table[table.index("<table") :]
    assert table.index("Cara Plan") < table.index("Olly Overdue")
    url = reverse("ehe:alert", args=[record.public_id])
    assert client_for(ehe_officer).get(url).status_code == 403
    response = client_for(manager).post(url, {"note": "Social worker told."})
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.alert_open


def test_a_records_page_shows_its_reviews_on_the_timeline(
    ehe_officer: User, record: EheRecord
) -> None:
    ehe_review_record(
        record=record,
        reviewed_on=TODAY - timedelta(days=5),
        method=EheReview.Method.HOME_VISIT,
        outcome=EheReview.Outcome.CONCERNS,
        note="Little written work seen.",
        next_review_due=TODAY + timedelta(days=60),
        by=ehe_officer,
    )
    page = client_for(ehe_officer).get(reverse("ehe:record", args=[record.public_id]))
    text = page.content.decode()
    assert "Review (home visit): Concerns: a further review is needed" in text
    assert "Little written work seen." in text
    assert text.index("Review (home visit)") < text.index("Home education started")


def test_a_change_to_a_record_is_audited_in_the_officers_name(
    ehe_officer: User, record: EheRecord
) -> None:
    data = {**_date("end_date", TODAY), "end_reason": "returned_to_school", "note": ""}
    client_for(ehe_officer).post(reverse("ehe:end", args=[record.public_id]), data)
    entry = LogEntry.objects.get_for_object(record).filter(action=LogEntry.Action.UPDATE).first()
    assert entry is not None and entry.actor == ehe_officer
    assert "end_reason" in (entry.changes_dict or {})
