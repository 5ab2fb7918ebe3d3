"""Personas every view test uses (STYLE.md): who is allowed, who is refused."""

import signal
from collections.abc import Iterator

import pytest
from django.test import Client

from cmetrack.accounts.models import Organisation, User
from cmetrack.testing.factories import OrganisationFactory, SchoolFactory, UserFactory


@pytest.fixture
def la_team(db: None) -> Organisation:
    return OrganisationFactory(kind=Organisation.Kind.LA_TEAM, name="Sefton CME team")


@pytest.fixture
def officer(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.CME_OFFICER, organisation=la_team)


@pytest.fixture
def manager(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.CME_MANAGER, organisation=la_team)


@pytest.fixture
def admin_user(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.ADMIN, organisation=la_team)


@pytest.fixture
def school_user(db: None) -> User:
    school = SchoolFactory()
    org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    return UserFactory(role=User.Role.SCHOOL_USER, organisation=org)


@pytest.fixture
def agency_user(db: None) -> User:
    org = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Health visiting")
    return UserFactory(role=User.Role.AGENCY_USER, organisation=org)


@pytest.fixture
def outsider(db: None) -> User:
    """Signed in, active, but belonging to another authority: sees no Sefton child."""
    org = OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Wirral", la_code="344")
    return UserFactory(role=User.Role.OTHER_LA_USER, organisation=org)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def other_school_user(db: None) -> User:
    """A user of a second school: must never see the first school's returns."""
    school = SchoolFactory()
    org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    return UserFactory(role=User.Role.SCHOOL_USER, organisation=org)


@pytest.fixture
def other_agency_user(db: None) -> User:
    org = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Youth justice service")
    return UserFactory(role=User.Role.AGENCY_USER, organisation=org)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The backup round trips last, after pytest-django's own ordering.

    They replace the whole database and rely on a serialized rollback to put the migrated state
    back; a test after them could find reference data missing, and one before them that
    empties the database recreates the content types under new ids, which a serialized
    rollback then collides with. Last on each worker, they disturb no one.
    """
    backups = [item for item in items if item.nodeid.endswith(BACKUP_TESTS, 0, _module_end(item))]
    if backups:
        rest = [item for item in items if item not in backups]
        items[:] = rest + backups


BACKUP_TESTS = ("operations/tests/test_backup.py", "operations/tests/test_backup_files.py")


def _module_end(item: pytest.Item) -> int:
    return item.nodeid.find("::") if "::" in item.nodeid else len(item.nodeid)


@pytest.fixture
def signals_restored() -> Iterator[None]:
    """The worker commands install their own SIGINT/SIGTERM handlers: put the runner's back."""
    kept = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in kept.items():
        signal.signal(number, handler)
