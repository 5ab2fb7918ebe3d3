"""Two installations, end to end: Sefton (this process: its test database and pytest-django's
live server) hands a child over to Knowsley (a second process: its own SQLite file, settings
and HTTP server, second_site.py), over HTTP on 127.0.0.1, signed, through the worker's task.
Knowsley finds the child in its incoming queue and opens a case; its answer comes back on its
own, and Sefton's case, open (transferred) until then, closes as handed to another authority.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from cmetrack.accounts.models import Organisation, User
from cmetrack.api.models import Scope
from cmetrack.api.tokens import api_token_issue
from cmetrack.cases.models import Case, Outcome
from cmetrack.cases.status import Status
from cmetrack.exchange.crypto import generate_key
from cmetrack.exchange.models import InboundMessage, MessageKind, OutboxMessage
from cmetrack.exchange.services.peers import generate_signing_secret, peer_add
from cmetrack.referrals.models import HandoverState, OtherLaNotification
from cmetrack.referrals.services import handover_send
from cmetrack.testing.factories import CaseFactory, OrganisationFactory, UserFactory

KNOWSLEY = "340"
SRC = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Site:
    """The second installation's process, spoken to a line of JSON at a time."""

    def __init__(self, tmp_path: Path, key: str) -> None:
        database = tmp_path / "knowsley.sqlite3"
        if connection.vendor == "sqlite":
            # A copy of this process's freshly migrated test database (reference data and
            # all, nothing else yet): the second installation's `migrate` then has nothing to
            # do, which saves most of the test's time. On PostgreSQL it migrates its own.
            connection.ensure_connection()
            copy = sqlite3.connect(database)
            connection.connection.backup(copy)
            copy.close()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "DJANGO_SETTINGS_MODULE": "cmetrack.settings.test",
            "DATABASE_URL": f"sqlite:///{database}",
            "CMETRACK_FILES_DIR": str(tmp_path / "files"),
            "CMETRACK_AUTHORITY_LA_CODE": KNOWSLEY,
            "CMETRACK_AUTHORITY_NAME": "Knowsley Council",
            "CMETRACK_EXCHANGE_KEY": key,
            "CMETRACK_EXCHANGE_ALLOW_HTTP": "true",
            "CMETRACK_EXCHANGE_TIMEOUT": "10",
        }
        self.process = subprocess.Popen(  # noqa: S603 (our own module, no shell)
            [sys.executable, "-m", "cmetrack.exchange.tests.second_site", str(self.port)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.read() == {"ready": True}

    def read(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the second installation stopped (exit {self.process.poll()})"
        return json.loads(line)

    def ask(self, cmd: str, **fields: Any) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
        self.process.stdin.flush()
        return self.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(AssertionError, BrokenPipeError):
                self.ask("quit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def knowsley(tmp_path: Path, settings: Any) -> Iterator[Site]:
    settings.CMETRACK_EXCHANGE_KEY = generate_key()
    settings.CMETRACK_EXCHANGE_ALLOW_HTTP = True
    site = Site(tmp_path, generate_key())
    yield site
    site.stop()


@pytest.mark.two_installations
@pytest.mark.django_db(transaction=True)
def test_a_child_handed_over_between_two_installations(
    live_server: LiveServer, knowsley: Site
) -> None:
    sefton_team = OrganisationFactory(kind=Organisation.Kind.LA_TEAM, name="Sefton CME team")
    admin = UserFactory(role=User.Role.ADMIN, organisation=sefton_team)
    officer = UserFactory(role=User.Role.CME_OFFICER, organisation=sefton_team)
    secret = generate_signing_secret()

    # Each authority records the other: its address, the token it was given, the secret.
    their_org = OrganisationFactory(
        kind=Organisation.Kind.OTHER_LA, name="Knowsley Council", la_code=KNOWSLEY
    )
    their_account = UserFactory(role=User.Role.OTHER_LA_USER, organisation=their_org)
    _, token_for_them = api_token_issue(
        user=their_account, name="Knowsley", scopes=[Scope.SUBMIT], days=30, by=admin
    )
    token_for_us = knowsley.ask(
        "peer",
        la_code="343",
        name="Sefton Council",
        base_url=live_server.url,
        token=token_for_them,
        signing_secret=secret,
    )["token"]
    peer_add(
        la_code=KNOWSLEY,
        name="Knowsley Council",
        base_url=knowsley.url,
        token=token_for_us,
        signing_secret=secret,
        by=admin,
        account=their_account,
    )

    # Sefton hands the case over: queued, then delivered by the worker's task on commit.
    case = CaseFactory(status=Status.ENQUIRIES)
    note = handover_send(
        case=case, other_la_name="Knowsley Council", other_la_code=KNOWSLEY, by=officer
    )
    sent = OutboxMessage.objects.get(kind=MessageKind.HANDOVER)
    assert sent.status == OutboxMessage.Status.DELIVERED, sent.last_error
    note.refresh_from_db()
    case.refresh_from_db()
    assert note.handover_state == HandoverState.ACKNOWLEDGED
    assert case.is_open and case.status == Status.TRANSFERRED

    # It is in Knowsley's incoming queue, from Sefton, under Knowsley's own reference.
    [arrived] = knowsley.ask("queue")["queue"]
    assert arrived["surname"] == case.child.surname
    assert arrived["other_la_code"] == "343" and arrived["triage_state"] == "new"
    assert arrived["reference"] == sent.remote_reference != note.reference

    # Knowsley opens a case: its answer goes back by itself.
    accepted = knowsley.ask("accept", reference=arrived["reference"])
    assert accepted["reply"] == "delivered" and accepted["case_status"] != "closed"

    note = OtherLaNotification.objects.get(pk=note.pk)
    case.refresh_from_db()
    assert note.handover_state == HandoverState.ACCEPTED
    assert case.status == Status.CLOSED and case.outcome == Outcome.HANDED_TO_OTHER_LA
    reply = InboundMessage.objects.get(kind=MessageKind.REPLY)
    assert reply.notification_id == note.pk
    assert Case.objects.get(pk=case.pk).events.count() > 0
