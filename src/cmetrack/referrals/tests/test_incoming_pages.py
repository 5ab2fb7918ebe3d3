"""The incoming queue comes a page at a time (25, as the case list), in the queue's order.

A busy authority has hundreds of returns waiting; the page rendered all of them (about 300 rows
and 200 ms of CPU at 50,000 cases, docs/benchmarks.md). The count is of the whole queue.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.views.pages import PAGE_SIZE
from cmetrack.conftest import client_for
from cmetrack.referrals.models import NewPupilReturn, Submission, TriageState


def _waiting(school_user: User, n: int) -> list[Submission]:
    """n new-pupil returns, the first the oldest."""
    organisation = school_user.organisation
    assert organisation is not None
    now = timezone.now()
    return [
        NewPupilReturn.objects.create(
            kind="new_pupil",
            forenames="Test",
            surname=f"Pupil{i:03d}",
            start_date=timezone.localdate(),
            organisation=organisation,
            school=organisation.school,
            received_at=now - timedelta(hours=n - i),
        )
        for i in range(n)
    ]


def _references(html: str) -> list[str]:
    return re.findall(r">([A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{4})</a>", html)


def test_the_queue_pages_oldest_first_and_counts_everything_waiting(
    officer: User, school_user: User
) -> None:
    returns = _waiting(school_user, PAGE_SIZE + 3)
    done = _waiting(school_user, 2)
    Submission.objects.filter(pk__in=[s.pk for s in done]).update(
        triage_state=TriageState.NO_ACTION
    )
    client = client_for(officer)
    first = client.get(reverse("referrals:incoming")).content.decode()
    second = client.get(reverse("referrals:incoming"), {"page": 2}).content.decode()
    assert f"{PAGE_SIZE + 3} waiting" in first and f"{PAGE_SIZE + 3} waiting" in second
    assert f"1 to {PAGE_SIZE} shown, page 1 of 2" in first
    assert 'class="govuk-pagination"' in first and "?page=2" in first
    assert _references(first) + _references(second) == [s.reference for s in returns]
    assert not any(s.reference in first + second for s in done)


def test_a_short_queue_is_one_page_without_pagination(officer: User, school_user: User) -> None:
    _waiting(school_user, 3)
    html = client_for(officer).get(reverse("referrals:incoming")).content.decode()
    assert "3 waiting" in html
    assert "govuk-pagination" not in html
    assert len(_references(html)) == 3


def test_a_page_past_the_end_of_the_queue_shows_the_last_page(
    officer: User, school_user: User
) -> None:
    returns = _waiting(school_user, PAGE_SIZE + 1)
    response = client_for(officer).get(reverse("referrals:incoming"), {"page": "99"})
    assert response.status_code == 200
    assert _references(response.content.decode()) == [returns[-1].reference]


@pytest.mark.parametrize("persona", ["school_user", "agency_user", "outsider"])
def test_other_roles_cannot_page_the_incoming_queue(
    persona: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("referrals:incoming"), {"page": 2})
    assert response.status_code == 403
