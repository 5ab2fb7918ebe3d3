"""Administrators add and correct organisations in the app (issue 16: no Django admin needed to
invite a school's staff): a school by its URN, an agency, another authority by its LA number;
the rules refuse a second organisation for a school, a duplicate name, another authority
without its LA number and a second CME team; every change is audited; nobody else may."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cmetrack.accounts.models import Organisation, User
from cmetrack.accounts.organisations import (
    OrganisationData,
    OrganisationRefused,
    organisation_create,
    organisation_problems,
    organisation_update,
)
from cmetrack.conftest import client_for
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_school_by_its_urn_and_it_takes_the_schools_name(
    admin_user: User,
) -> None:
    school = SchoolFactory(urn="104512", name="Litherland High School", la_code="343")
    client = client_for(admin_user)

    answer = client.post(reverse("organisations:add"), {"kind": "school", "urn": " 104512 "})

    assert answer.status_code == 302
    org = Organisation.objects.get(school=school)
    assert (org.kind, org.name, org.la_code) == ("school", "Litherland High School", "343")
    entry = LogEntry.objects.get_for_object(org).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == admin_user
    # ... and it is offered at once when inviting its staff.
    invite = client.get(reverse("accounts:user-invite"))
    assert "Litherland High School" in invite.content.decode()


def test_an_unknown_urn_or_a_school_with_an_organisation_already_is_refused(
    admin_user: User,
) -> None:
    school = SchoolFactory(urn="104513")
    OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    client = client_for(admin_user)

    unknown = client.post(reverse("organisations:add"), {"kind": "school", "urn": "999999"})
    again = client.post(reverse("organisations:add"), {"kind": "school", "urn": "104513"})

    assert "No school in the register has the URN 999999" in unknown.content.decode()
    assert "That school has an organisation already" in again.content.decode()
    assert Organisation.objects.filter(kind="school").count() == 1


def test_another_authority_needs_its_la_number_and_only_once(admin_user: User) -> None:
    client = client_for(admin_user)
    data = {"kind": "other_la", "name": "Knowsley Council", "la_code": ""}

    missing = client.post(reverse("organisations:add"), data)
    assert missing.context["form"].errors["la_code"] == [
        "Enter the other authority's three-digit LA number"
    ]
    assert client.post(reverse("organisations:add"), {**data, "la_code": "340"}).status_code == 302
    second = client.post(
        reverse("organisations:add"), {**data, "name": "Knowsley CME", "la_code": "340"}
    )

    assert "Another authority already has the LA number 340" in second.content.decode()
    assert Organisation.objects.filter(kind="other_la").count() == 1


def test_an_agency_is_added_by_name_and_a_duplicate_name_is_refused(admin_user: User) -> None:
    client = client_for(admin_user)
    data = {"kind": "agency", "name": "Merseyside Police"}

    assert client.post(reverse("organisations:add"), data).status_code == 302
    again = client.post(reverse("organisations:add"), {**data, "name": "merseyside police"})

    assert "already an organisation of this kind called" in again.content.decode()
    assert Organisation.objects.filter(name__iexact="merseyside police").count() == 1


def test_a_second_cme_team_is_neither_offered_nor_allowed(admin_user: User) -> None:
    page = client_for(admin_user).get(reverse("organisations:add"))
    assert 'value="la_team"' not in page.content.decode()

    with pytest.raises(OrganisationRefused) as refused:
        organisation_create(
            data=OrganisationData(kind="la_team", name="Another team", la_code="343"),
            by=admin_user,
        )
    assert "kind" in refused.value.problems


def test_a_name_and_la_number_are_corrected_and_audited_but_the_kind_stays(
    admin_user: User,
) -> None:
    org = OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Wirall", la_code="34")
    client = client_for(admin_user)

    answer = client.post(
        reverse("organisations:edit", args=[org.public_id]),
        {"name": "Wirral Council", "la_code": "344", "kind": "agency"},
    )

    assert answer.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.la_code, org.kind) == ("Wirral Council", "344", "other_la")
    change = LogEntry.objects.get_for_object(org).get(action=LogEntry.Action.UPDATE)
    assert change.actor == admin_user and "name" in change.changes_dict


def test_a_bad_la_number_is_refused_field_by_field_and_nothing_changes(admin_user: User) -> None:
    org = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Health visiting")

    page = client_for(admin_user).post(
        reverse("organisations:edit", args=[org.public_id]), {"name": " ", "la_code": "34x"}
    )

    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"name", "la_code"}
    org.refresh_from_db()
    assert org.name == "Health visiting"


def test_the_list_shows_each_kind_and_its_active_users(admin_user: User, school_user: User) -> None:
    page = client_for(admin_user).get(reverse("organisations:list"), {"kind": "school"})

    rows = list(page.context["page"].object_list)
    assert [o.kind for o in rows] == ["school"]
    assert rows[0].active_users == 1
    assert school_user.organisation is not None
    assert school_user.organisation.name in page.content.decode()


@pytest.mark.parametrize("persona", ["officer", "manager", "school_user", "agency_user"])
def test_nobody_but_an_administrator_may_manage_organisations(
    request: pytest.FixtureRequest, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    org = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Health visiting")
    client = client_for(user)
    before = Organisation.objects.count()

    answers = [
        client.get(reverse("organisations:list")).status_code,
        client.post(reverse("organisations:add"), {"kind": "agency", "name": "X"}).status_code,
        client.post(reverse("organisations:edit", args=[org.public_id]), {"name": "Y"}).status_code,
    ]

    assert answers == [403, 403, 403]
    assert Organisation.objects.count() == before
    with pytest.raises(PermissionDenied):
        organisation_update(organisation=org, name="Y", la_code="", by=user)


def test_the_shared_check_names_every_problem_at_once() -> None:
    problems = organisation_problems(OrganisationData(kind="school", name="", la_code="3"))
    assert set(problems) == {"name", "la_code", "school"}
