"""Refused attempts: a signed-in user turned away from a page naming a child or case is noted
(user, route, the public id from the URL, the answer), with no personal data and no change to
anything else; every view entry says which page showed the record."""

from uuid import uuid4

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.audit.models import RefusedAttempt
from cmetrack.audit.services import current_page, record_view
from cmetrack.conftest import client_for
from cmetrack.testing.factories import CaseFactory


def _values(attempt: RefusedAttempt) -> str:
    return " ".join(str(getattr(attempt, f.attname)) for f in RefusedAttempt._meta.concrete_fields)


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_a_partner_refused_a_case_page_is_noted_with_the_case_id_and_the_answer(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    case = CaseFactory(child__forenames="Philippa", child__surname="Quayle", child__upn="")
    entries_before = LogEntry.objects.count()
    response = client_for(user).get(reverse("cases:detail", args=[case.public_id]))
    assert response.status_code == 403
    [attempt] = RefusedAttempt.objects.all()
    assert attempt.user == user
    assert attempt.route == "cases:detail"
    assert attempt.keyword == "public_id"
    assert attempt.object_id == case.public_id
    assert attempt.status_code == 403
    # The refusal changed nothing else: no view, no change.
    assert LogEntry.objects.count() == entries_before


def test_a_case_the_officer_cannot_find_is_noted_as_a_404(officer: User) -> None:
    unknown = uuid4()
    response = client_for(officer).get(reverse("cases:detail", args=[unknown]))
    assert response.status_code == 404
    attempt = RefusedAttempt.objects.get()
    assert (attempt.user, attempt.object_id, attempt.status_code) == (officer, unknown, 404)


def test_a_refused_subject_access_names_the_child_and_nothing_about_them(officer: User) -> None:
    case = CaseFactory(
        child__forenames="Philippa", child__surname="Quayle", child__upn="H801200001001"
    )
    url = reverse("privacy:subject-access", args=[case.child.public_id])
    # What the officer typed in the query string is never kept either.
    assert client_for(officer).get(url, {"q": "Quayle"}).status_code == 403
    attempt = RefusedAttempt.objects.get()
    assert attempt.route == "privacy:subject-access"
    assert attempt.object_id == case.child.public_id
    text = _values(attempt)
    for personal in ("Philippa", "Quayle", case.child.upn, str(case.child.date_of_birth)):
        assert personal not in text


def test_a_refused_page_naming_two_records_notes_each(officer: User) -> None:
    source, target = CaseFactory(), CaseFactory()
    url = reverse("matching:merge", kwargs={"source": source.child.public_id, "target": uuid4()})
    assert client_for(officer).get(url).status_code == 404
    noted = dict(RefusedAttempt.objects.values_list("keyword", "object_id"))
    assert noted["source"] == source.child.public_id
    assert set(noted) == {"source", "target"}
    assert target.child.public_id not in noted.values()


def test_the_request_id_and_address_are_kept(officer: User) -> None:
    request_id = "6b8a1ce2-7e51-4f0b-9a7e-0d6f6c1f4b11"
    client_for(officer).get(
        reverse("cases:detail", args=[uuid4()]), headers={"X-Request-ID": request_id}
    )
    attempt = RefusedAttempt.objects.get()
    assert attempt.request_id.replace("-", "") == request_id.replace("-", "")
    assert attempt.remote_addr == "127.0.0.1"


def test_nobody_not_signed_in_is_noted(db: None) -> None:
    case = CaseFactory()
    response = client_for(None).get(reverse("cases:detail", args=[case.public_id]))
    assert response.status_code == 302
    assert not RefusedAttempt.objects.exists()


def test_an_allowed_page_and_a_refusal_naming_no_record_are_not_noted(officer: User) -> None:
    case = CaseFactory()
    client = client_for(officer)
    assert client.get(reverse("cases:detail", args=[case.public_id])).status_code == 200
    assert client.get(reverse("operations:status")).status_code == 403  # no record in the URL
    assert client.get(reverse("accounts:set-up-link", args=["not-a-token"])).status_code == 404
    assert not RefusedAttempt.objects.exists()


def test_a_method_not_allowed_is_not_a_refusal(officer: User) -> None:
    case = CaseFactory()
    url = reverse("cases:task-done", args=[case.public_id, uuid4()])
    assert client_for(officer).get(url).status_code == 405
    assert not RefusedAttempt.objects.exists()


def test_a_view_entry_says_which_page_showed_the_record(officer: User) -> None:
    case = CaseFactory()
    client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    pages = {
        entry.additional_data["page"]
        for entry in LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=officer)
    }
    assert pages == {"cases:detail"}


def test_the_page_is_forgotten_after_the_request(officer: User) -> None:
    case = CaseFactory()
    client_for(officer).get(reverse("cases:detail", args=[case.public_id]))
    assert current_page.get() == ""
    record_view(case)  # outside a request (a command): no page
    latest = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("-pk").first()
    assert latest is not None and latest.additional_data is None
