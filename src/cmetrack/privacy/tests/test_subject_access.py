"""Subject access export: a manager downloads everything held about one child."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.services import case_add_note, task_create
from cmetrack.conftest import client_for
from cmetrack.testing.factories import AddressFactory, CaseFactory


def test_a_manager_downloads_the_whole_record_and_the_download_is_audited(
    officer: User, manager: User
) -> None:
    case = CaseFactory(child__forenames="Ottoline", child__surname="Brisk")
    AddressFactory(child=case.child, line_1="7 Quay Road")
    case_add_note(case=case, text="Seen at the library", by=officer)
    from datetime import date

    task_create(case=case, title="Ring school", due_on=date(2099, 1, 1), by=officer)
    response = client_for(manager).get(
        reverse("privacy:subject-access", args=[case.child.public_id])
    )
    assert response.status_code == 200
    assert str(case.child.public_id) in response["Content-Disposition"]
    assert "Brisk" not in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["child"]["surname"] == "Brisk"
    assert document["held_about_the_child"]["children.address"][0]["line_1"] == "7 Quay Road"
    [exported_case] = document["cases"]
    assert exported_case["reference"] == case.reference
    assert any(
        item["detail"].get("text") == "Seen at the library" for item in exported_case["timeline"]
    )
    assert exported_case["related"]["cases.task"][0]["title"] == "Ring school"
    assert any(item["action"] == "create" for item in document["audit_trail"])
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(case.child.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["officer", "school_user", "agency_user", "outsider"])
def test_only_managers_may_export(persona: str, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(persona)
    case = CaseFactory()
    response = client_for(user).get(reverse("privacy:subject-access", args=[case.child.public_id]))
    assert response.status_code == 403


def test_an_unknown_child_is_not_found(manager: User) -> None:
    url = reverse("privacy:subject-access", args=["00000000-0000-4000-8000-000000000000"])
    assert client_for(manager).get(url).status_code == 404
