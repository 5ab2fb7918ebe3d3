"""The EHE officer persona (src/cmetrack/conftest.py has the others), and the register's pages
routed for these tests while the root URL configuration does not include them yet."""

import pytest

from cmetrack.accounts.models import Organisation, User
from cmetrack.testing.factories import UserFactory


@pytest.fixture
def ehe_officer(la_team: Organisation) -> User:
    return UserFactory(role=User.Role.EHE_OFFICER, organisation=la_team)
