"""The per-child audit trail: a CME manager sees who viewed and changed a child's record and
cases, and who was refused, newest first, filtered and exported as CSV (itself audited)."""

import csv
import io
from datetime import timedelta
from uuid import uuid4

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cmetrack.accounts.models import User
from cmetrack.audit.models import RefusedAttempt
from cmetrack.cases.models import Case
from cmetrack.cases.views.pages import PAGE_SIZE
from cmetrack.conftest import client_for
from cmetrack.privacy.page_labels import page_label
from cmetrack.privacy.selectors import child_audit_trail
from cmetrack.testing.factories import CaseFactory, UserFactory

NOTE = "Seen at the library with her aunt"


def _page(case: Case) -> str:
    return reverse("privacy:child-audit", args=[case.child.public_id])


def _csv(case: Case) -> str:
    return reverse("privacy:child-audit-csv", args=[case.child.public_id])


def _busy_case(officer: User, school_user: User) -> Case:
    """A case an officer opened and added a note to, and a school user was refused, all by
    real requests."""
    case = CaseFactory(child__forenames="Rosalind", child__surname="Thackeray")
    officer_client = client_for(officer)
    assert officer_client.get(reverse("cases:detail", args=[case.public_id])).status_code == 200
    added = officer_client.post(reverse("cases:note", args=[case.public_id]), {"text": NOTE})
    assert added.status_code == 302
    refused = client_for(school_user).get(reverse("cases:detail", args=[case.public_id]))
    assert refused.status_code == 403
    return case


def test_the_page_lists_views_changes_and_refusals_made_by_real_requests(
    officer: User, manager: User, school_user: User
) -> None:
    case = _busy_case(officer, school_user)
    response = client_for(manager).get(_page(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rosalind Thackeray" in html  # whose trail it is
    # As the page writes them: a factory name may be "O'Connor".
    assert escape(str(officer)) in html and escape(str(school_user)) in html
    assert "Viewed" in html and "Case page" in html
    assert "Created" in html  # the note's timeline entry
    assert "Refused (403)" in html
    assert case.reference in html
    # What the officer wrote is never copied into the trail.
    assert NOTE not in html


def test_the_trail_is_newest_first_and_names_fields_never_values(
    officer: User, manager: User, school_user: User
) -> None:
    case = _busy_case(officer, school_user)
    lines = child_audit_trail(user=manager, public_id=case.child.public_id).lines
    assert [line.when for line in lines] == sorted((line.when for line in lines), reverse=True)
    assert lines[0].action == "Refused" and lines[0].answer == 403
    assert lines[0].page == "cases:detail" and lines[0].who_id == school_user.pk
    created = [line for line in lines if line.action == "Created"]
    assert created and all(NOTE not in " ".join(line.fields) for line in created)
    assert any("payload" in line.fields for line in created)


def test_opening_the_page_is_itself_a_view_of_the_child(manager: User) -> None:
    case = CaseFactory()
    client_for(manager).get(_page(case))
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=manager)
    assert entry.object_pk == str(case.child.pk)
    assert entry.additional_data == {"page": "privacy:child-audit"}


def test_the_csv_export_lists_the_trail_and_is_audited_as_a_view(
    officer: User, manager: User, school_user: User
) -> None:
    case = _busy_case(officer, school_user)
    response = client_for(manager).get(_csv(case))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert str(case.child.public_id) in disposition and "Thackeray" not in disposition
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["When", "Who", "Action", "Record", "Page", "Fields changed", "Answer"]
    assert [rows[1][2], rows[1][4], rows[1][6]] == ["Refused", "cases:detail", "403"]
    assert any(r[1] == str(officer) and r[2] == "Viewed" for r in rows[1:])
    assert NOTE not in response.content.decode()
    export = LogEntry.objects.get(action=LogEntry.Action.ACCESS, actor=manager)
    assert export.additional_data == {"page": "privacy:child-audit-csv"}


def test_a_name_that_looks_like_a_formula_is_neutralised_in_the_csv(manager: User) -> None:
    case = CaseFactory()
    odd = UserFactory(role=User.Role.CME_OFFICER, first_name="=HYPERLINK(1)", last_name="")
    client_for(odd).get(reverse("cases:detail", args=[case.public_id]))
    rows = list(csv.reader(io.StringIO(client_for(manager).get(_csv(case)).content.decode())))
    assert "'=HYPERLINK(1)" in {r[1] for r in rows[1:]}


def _age(actor: User, days: int) -> None:
    """Move this actor's entries back in time (the filters read the timestamps)."""
    when = timezone.now() - timedelta(days=days)
    LogEntry.objects.filter(actor=actor).update(timestamp=when)
    RefusedAttempt.objects.filter(user=actor).update(at=when)


def test_the_trail_filters_by_date_range_and_person(
    officer: User, manager: User, school_user: User
) -> None:
    case = _busy_case(officer, school_user)
    _age(officer, 30)
    client = client_for(manager)
    recent = timezone.localdate() - timedelta(days=2)
    html = client.get(_page(case), {"since": f"{recent:%d/%m/%Y}"}).content.decode()
    assert "Refused (403)" in html and "Case page" in html
    assert f'<td class="govuk-table__cell">{officer}</td>' not in html
    old = timezone.localdate() - timedelta(days=30)
    lines = child_audit_trail(
        user=manager, public_id=case.child.public_id, since=old, until=old
    ).lines
    assert lines and {line.who_id for line in lines} == {officer.pk}
    by_school = client.get(_page(case), {"person": school_user.pk})
    assert by_school.context["page"].paginator.count == 1
    exported = client.get(_csv(case), {"person": officer.pk}).content.decode()
    assert str(school_user) not in exported and str(officer) in exported


def test_a_bad_date_is_a_clear_error_and_filters_nothing(manager: User) -> None:
    case = CaseFactory()
    response = client_for(manager).get(_page(case), {"since": "31/02/2025", "until": "1/1/2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the from date as a real date, like 1/9/2025" in html
    assert "govuk-error-summary" in html


def test_a_to_date_before_the_from_date_is_refused(manager: User) -> None:
    case = CaseFactory()
    response = client_for(manager).get(_page(case), {"since": "2/1/2025", "until": "1/1/2025"})
    assert "The to date must be the same as or after the from date" in response.content.decode()


def test_a_long_trail_is_paged(manager: User) -> None:
    case = CaseFactory()
    client = client_for(manager)
    for _ in range(PAGE_SIZE + 1):
        client.get(_page(case))  # each opening is a view
    first = client.get(_page(case))
    assert first.context["page"].paginator.num_pages == 2
    assert 'rel="next"' in first.content.decode()
    total = first.context["page"].paginator.count
    assert total > PAGE_SIZE
    second = client.get(_page(case), {"page": 2})
    assert len(second.context["page"].object_list) == total + 1 - PAGE_SIZE  # + that opening


@pytest.mark.parametrize(
    "persona", ["officer", "school_user", "other_school_user", "agency_user", "outsider"]
)
@pytest.mark.parametrize("route", ["privacy:child-audit", "privacy:child-audit-csv"])
def test_everyone_but_managers_and_administrators_is_refused(
    persona: str, route: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    case = CaseFactory()
    response = client_for(user).get(reverse(route, args=[case.child.public_id]))
    assert response.status_code == 403
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.parametrize("route", ["privacy:child-audit", "privacy:child-audit-csv"])
def test_anonymous_is_sent_to_sign_in(route: str, db: None) -> None:
    case = CaseFactory()
    response = Client().get(reverse(route, args=[case.child.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=")


@pytest.mark.parametrize("route", ["privacy:child-audit", "privacy:child-audit-csv"])
def test_an_administrator_may_see_the_trail(route: str, admin_user: User) -> None:
    case = CaseFactory()
    response = client_for(admin_user).get(reverse(route, args=[case.child.public_id]))
    assert response.status_code == 200


def test_an_unknown_child_is_not_found(manager: User) -> None:
    response = client_for(manager).get(reverse("privacy:child-audit", args=[uuid4()]))
    assert response.status_code == 404


def test_the_pages_answer_only_get_and_head(manager: User) -> None:
    case = CaseFactory()
    assert client_for(manager).post(_page(case)).status_code == 405
    assert client_for(manager).post(_csv(case)).status_code == 405


def test_the_case_page_links_to_the_trail_for_managers_only(officer: User, manager: User) -> None:
    case = CaseFactory()
    link = _page(case)
    detail = reverse("cases:detail", args=[case.public_id])
    assert link in client_for(manager).get(detail).content.decode()
    assert link not in client_for(officer).get(detail).content.decode()


def test_a_refusal_about_another_child_is_not_in_this_trail(
    manager: User, school_user: User
) -> None:
    case, other = CaseFactory(), CaseFactory()
    client_for(school_user).get(reverse("cases:detail", args=[other.public_id]))
    lines = child_audit_trail(user=manager, public_id=case.child.public_id).lines
    assert not [line for line in lines if line.action == "Refused"]
    theirs = child_audit_trail(user=manager, public_id=other.child.public_id).lines
    assert [line.action for line in theirs].count("Refused") == 1


def test_a_return_on_the_childs_case_is_in_the_trail_under_its_own_kind(
    manager: User, school_user: User
) -> None:
    """A deletion return is audited as a deletion return (table inheritance) while the walk from
    the case finds its submission: the trail must still list it."""
    from cmetrack.referrals.models import DeletionReturn, Submission
    from cmetrack.referrals.services import deletion_return_submit
    from cmetrack.referrals.tests.helpers import deletion_data

    assert school_user.organisation and school_user.organisation.school
    case = CaseFactory()
    ret = deletion_return_submit(
        data=deletion_data(school_user.organisation.school), by=school_user
    )
    Submission.objects.filter(pk=ret.pk).update(case=case)
    lines = child_audit_trail(user=manager, public_id=case.child.public_id).lines
    labels = {line.record for line in lines if line.who_id == school_user.pk}
    assert str(DeletionReturn._meta.verbose_name) in labels


def test_pages_are_named_for_a_manager_not_by_their_route() -> None:
    assert page_label("cases:detail") == "Case page"
    assert page_label("cases:primary-reason") == "Cases: primary reason"
    assert page_label("") == ""
