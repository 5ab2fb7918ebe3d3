"""Four officers press "Make a referral" on one candidate at the same moment: one referral is
made, the others are told it was referred already. Real transactions on real connections, so
PostgreSQL only (as cases/tests/test_concurrent_edits.py, whose committed set-up and clean-up
this follows)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from auditlog.models import LogEntry
from django.db import connection, connections
from django.db.models import Max

from cmetrack.accounts.models import Organisation, User
from cmetrack.crosschecks.kinds import CheckKind
from cmetrack.crosschecks.models import CandidateState, CrossCheckCandidate
from cmetrack.crosschecks.services import (
    CheckRequest,
    CrossCheckRefused,
    candidate_refer,
    crosscheck_start,
)
from cmetrack.referrals.models import Submission
from cmetrack.testing.factories import OrganisationFactory, UserFactory
from cmetrack.testing.roll_files import mis_csv, roll_pupil

from .helpers import today

if TYPE_CHECKING:
    from pytest_django.plugin import DjangoDbBlocker

OFFICERS = 4

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections: set DATABASE_URL to a PostgreSQL database",
)


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


def test_of_four_simultaneous_referrals_of_one_candidate_one_is_made(committed: None) -> None:
    last_entry = LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    last_submission = Submission.objects.aggregate(last=Max("pk"))["last"] or 0
    team = OrganisationFactory(kind=Organisation.Kind.LA_TEAM, name="Concurrent referrals team")
    officers = [UserFactory(role=User.Role.CME_OFFICER, organisation=team) for _ in range(OFFICERS)]
    run = crosscheck_start(
        request=CheckRequest(
            kind=CheckKind.KNOWN_TO_SERVICES,
            check_on=today(),
            list_content=mis_csv(
                [roll_pupil(forename="Kacper", surname="Concurrentski", upn="")],
                school_columns=False,
            ),
            list_name="housing.csv",
            list_source="Housing",
        ),
        by=officers[0],
    )
    try:
        candidate = run.candidates.get()
        start = threading.Barrier(OFFICERS)
        outcomes: list[str] = []
        record = threading.Lock()

        def press(officer: User) -> None:
            try:
                mine = CrossCheckCandidate.objects.get(pk=candidate.pk)
                start.wait()
                try:
                    candidate_refer(candidate=mine, by=officer)
                    outcome = "made"
                except CrossCheckRefused:
                    outcome = "refused"
                with record:
                    outcomes.append(outcome)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=press, args=(o,)) for o in officers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["made"] + ["refused"] * (OFFICERS - 1)
        candidate.refresh_from_db()
        assert candidate.state == CandidateState.REFERRED
        assert Submission.objects.filter(pk__gt=last_submission).count() == 1
    finally:
        run.delete()
        for submission in Submission.objects.filter(pk__gt=last_submission):
            submission.delete()
        User.objects.filter(pk__in=[o.pk for o in officers]).delete()
        team.delete()
        LogEntry.objects.filter(pk__gt=last_entry).delete()
