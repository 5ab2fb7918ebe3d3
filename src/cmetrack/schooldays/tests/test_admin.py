"""Term dates in Django admin: administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.schooldays.models import TermDate
from cmetrack.schooldays.services import term_dates_load_bundled

CHANGELIST = "admin:schooldays_termdate_changelist"
ADD = "admin:schooldays_termdate_add"


@pytest.mark.parametrize("page", [CHANGELIST, ADD])
def test_an_administrator_can_open_the_term_dates_admin(admin_user: User, page: str) -> None:
    term_dates_load_bundled()

    response = client_for(admin_user).get(reverse(page))

    assert response.status_code == 200


def test_the_changelist_shows_academic_years_as_labels(admin_user: User) -> None:
    term_dates_load_bundled()

    response = client_for(admin_user).get(reverse(CHANGELIST), {"academic_year": "2025"})

    assert response.status_code == 200
    assert "2025/26" in response.content.decode()
    assert "Staff training" in response.content.decode()


@pytest.mark.parametrize("persona", ["officer", "manager", "school_user"])
@pytest.mark.parametrize("page", [CHANGELIST, ADD])
def test_anyone_else_is_sent_to_the_admin_sign_in(
    persona: str, page: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    url = reverse(page)

    response = client_for(user).get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_add_form_refuses_a_term_outside_its_academic_year(admin_user: User) -> None:
    response = client_for(admin_user).post(
        reverse(ADD),
        {
            "academic_year": "2025",
            "kind": "term",
            "name": "Autumn 1",
            "start": "2025-08-28",
            "end": "2025-10-24",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "2025-08-28 is not in 2025/26" in response.content.decode()
    assert not TermDate.objects.exists()


def test_an_administrator_can_add_an_inset_day(admin_user: User) -> None:
    response = client_for(admin_user).post(
        reverse(ADD),
        {
            "academic_year": "2025",
            "kind": "inset",
            "name": "Training",
            "start": "2025-10-24",
            "end": "2025-10-24",
        },
    )

    assert response.status_code == 302
    assert TermDate.objects.get().name == "Training"
