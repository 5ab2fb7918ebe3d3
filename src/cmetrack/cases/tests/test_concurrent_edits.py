"""Eight officers submit, at the same moment, forms all opened at the same version of one case
(issue 11): exactly one change is applied, every other is told the case changed, and the
version counts one change. Real transactions on real connections, so PostgreSQL only: the test
database on SQLite is one in-memory connection that threads cannot share.

The threads must see the case, so it is committed, not made in the test's own transaction; and
it is deleted again afterwards rather than by a transactional test's flush, which would empty
the reference data later tests in the same run rely on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from auditlog.models import LogEntry
from django.db import connection, connections
from django.db.models import Max

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.events import EventKind
from cmetrack.cases.models import Case
from cmetrack.cases.services import CaseChanged, case_assign
from cmetrack.testing.factories import CaseFactory, OrganisationFactory, UserFactory

if TYPE_CHECKING:
    from pytest_django.plugin import DjangoDbBlocker

OFFICERS = 8

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections: set DATABASE_URL to a PostgreSQL database",
)


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Database access outside any test transaction: what is made here is committed."""
    with django_db_blocker.unblock():
        yield


def test_of_eight_simultaneous_stale_assignments_exactly_one_is_applied(
    committed: None,
) -> None:
    last_entry = LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    team = OrganisationFactory(kind=Organisation.Kind.LA_TEAM, name="Concurrent CME team")
    officers = [UserFactory(role=User.Role.CME_OFFICER, organisation=team) for _ in range(OFFICERS)]
    case = CaseFactory()
    try:
        start = threading.Barrier(OFFICERS)
        outcomes: list[str] = []
        record = threading.Lock()

        def submit(officer: User) -> None:
            try:
                mine = Case.objects.get(pk=case.pk)  # each officer's page, opened at version 1
                start.wait()
                try:
                    case_assign(case=mine, officer=officer, by=officer, expected_version=1)
                    outcome = "applied"
                except CaseChanged:
                    outcome = "refused"
                with record:
                    outcomes.append(outcome)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit, args=(officer,)) for officer in officers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(outcomes) == ["applied"] + ["refused"] * (OFFICERS - 1)
        case.refresh_from_db()
        assert case.version == 2
        assigned = case.events.filter(kind=EventKind.ASSIGNED)
        assert assigned.count() == 1
        assert assigned.get().actor_id == case.assigned_to_id
    finally:
        child = case.child
        case.delete()
        child.delete()
        User.objects.filter(pk__in=[officer.pk for officer in officers]).delete()
        team.delete()
        LogEntry.objects.filter(pk__gt=last_entry).delete()
