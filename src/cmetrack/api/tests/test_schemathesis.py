"""schemathesis against /api/schema/: property-based requests generated from the OpenAPI
document, through the real WSGI application, as a school's system and as the CME team's.
Every answer must be below 500, carry a status code and a body the document declares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cmetrack.accounts.models import User
from cmetrack.api.models import Scope
from cmetrack.api.tokens import api_token_issue
from cmetrack.testing.factories import CaseFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _document() -> dict[str, Any]:
    """The document /api/schema/ serves, made by the same generator (no request: pytest
    collects this module before any test database exists)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_document())
schema.app = get_wsgi_application()


def _token(user: User, admin_user: User) -> str:
    _, plain = api_token_issue(
        user=user, name="schemathesis", scopes=[Scope.SUBMIT, Scope.READ], days=1, by=admin_user
    )
    return plain


@pytest.fixture
def school_token(school_user: User, admin_user: User) -> str:
    return _token(school_user, admin_user)


@pytest.fixture
def team_token(officer: User, admin_user: User) -> str:
    CaseFactory.create_batch(3)
    return _token(officer, admin_user)


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """schemathesis calls the WSGI application itself, whose end of request closes the
    database connection at the start and end of each request; inside a test's transaction
    (PostgreSQL) that would end it. Django's own test client holds the signals back the same
    way."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.mark.django_db
@schema.parametrize()
@SETTINGS
def test_the_api_as_a_school_never_errors_and_keeps_to_its_document(
    case: Any, school_token: str
) -> None:
    cache.clear()  # the rate limit is not what is being tested
    case.call_and_validate(headers={"Authorization": f"Bearer {school_token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@SETTINGS
def test_the_api_as_the_cme_team_never_errors_and_keeps_to_its_document(
    case: Any, team_token: str
) -> None:
    cache.clear()
    case.call_and_validate(headers={"Authorization": f"Bearer {team_token}"}, checks=CHECKS)
