"""The cross-check pages as an officer uses them: start a check from its form, read the results
and a candidate's explanation, dismiss with a reason, refer, export; each view audited."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.crosschecks.models import CandidateState, CrossCheckRun
from cmetrack.testing.cohorts import SUMMER, authority

from .helpers import load_cohort, today

pytestmark = pytest.mark.django_db


def _date(name: str, value: date) -> dict[str, str]:
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


@pytest.fixture
def run(officer: User) -> CrossCheckRun:
    load_cohort(authority(seed=3), officer)
    response = client_for(officer).post(
        "/cross-checks/run/transition/",
        {**_date("check_on", today()), **_date("leavers_on", SUMMER)},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return CrossCheckRun.objects.get()


def test_the_form_refuses_a_leavers_date_after_the_check_and_starts_nothing(officer: User) -> None:
    response = client_for(officer).post(
        "/cross-checks/run/transition/",
        {**_date("check_on", SUMMER), **_date("leavers_on", today())},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "must be before the date to check" in page
    assert not CrossCheckRun.objects.exists()


def test_results_page_lists_candidates_with_why_and_is_audited(
    run: CrossCheckRun, officer: User
) -> None:
    page = client_for(officer).get(f"/cross-checks/{run.public_id}/").content.decode()
    first = run.candidates.first()
    assert first is not None and first.surname in page
    assert "On no roll dated after 15 July 2026" in page
    assert LogEntry.objects.get_for_object(run).filter(action=LogEntry.Action.ACCESS).exists()


def test_dismissing_from_the_candidate_page_moves_it_to_the_dismissed_tab(
    run: CrossCheckRun, officer: User
) -> None:
    client = client_for(officer)
    candidate = run.candidates.first()
    assert candidate is not None
    url = f"/cross-checks/{run.public_id}/{candidate.public_id}/"
    page = client.get(url).content.decode()
    assert "Why this child is a candidate" in page
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    assert client.post(url, {"reason": "Moved abroad: flight confirmed"}).status_code == 302
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.DISMISSED
    dismissed = client.get(f"/cross-checks/{run.public_id}/?tab=dismissed").content.decode()
    assert "Moved abroad: flight confirmed" in dismissed


def test_refer_button_makes_the_referral(run: CrossCheckRun, officer: User) -> None:
    candidate = run.candidates.first()
    assert candidate is not None
    response = client_for(officer).post(
        f"/cross-checks/{run.public_id}/{candidate.public_id}/refer/"
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.REFERRED


def test_export_has_every_candidate_and_leaves_personal_details_out_when_asked(
    run: CrossCheckRun, officer: User
) -> None:
    client = client_for(officer)
    body = client.get(f"/cross-checks/{run.public_id}/export.csv?tab=open").content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(body)))
    header = next(r for r in rows if "State" in r)
    assert "Surname" in header
    assert len(rows) - rows.index(header) - 1 == run.candidates.count()
    bare = client.get(
        f"/cross-checks/{run.public_id}/export.csv?tab=open&personal=no"
    ).content.decode("utf-8-sig")
    first = run.candidates.first()
    assert first is not None and first.surname not in bare


def test_the_run_page_of_a_working_check_refreshes_itself(
    run: CrossCheckRun, officer: User
) -> None:
    CrossCheckRun.objects.filter(pk=run.pk).update(state="running")
    response = client_for(officer).get(f"/cross-checks/{run.public_id}/")
    assert response["Refresh"] == "3"
    assert "This page reloads every 3 seconds" in response.content.decode()
