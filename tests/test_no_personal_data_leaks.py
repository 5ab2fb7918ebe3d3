"""A full journey, scanned for the children's personal data wherever it must not be.

Children with distinctive names, UPNs, dates of birth and postcodes are looked at, searched for,
changed, reported and triaged through the real views by the CME team, a school and the public,
with the errors a real service meets on the way (404, 403, 400 and a 500). Everything the journey
leaves behind outside the pages themselves is then searched for those details:

- every log record, at every level, as production writes it (cmetrack.logformat's JSON);
- every URL requested and every redirect's Location;
- every email, as sent and as kept in the outbox;
- the error pages' bodies (DEBUG off, as in production) and every page an anonymous visitor got;
- gunicorn's access log line for each request (gunicorn_config.py), which must also hold no
  query string and neither the set-up link's nor the password reset link's token.

Pages a child's own officer (or the school that sent the return) may see are not scanned: they
are where the data belongs.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils import timezone
from django_guid.log_filters import CorrelationId
from gunicorn.config import Config
from hypothesis import example, given
from hypothesis import strategies as st

from cmetrack import gunicorn_config
from cmetrack.accounts.models import Organisation, User
from cmetrack.accounts.services import enrolment_invite_issue
from cmetrack.cases.models import Case
from cmetrack.children.models import Child, FormerUpn
from cmetrack.core.upn import upn_check_letter
from cmetrack.logformat import CmetrackJsonFormatter, TextFormatter
from cmetrack.notifications.models import OutboundEmail
from cmetrack.referrals.models import Submission
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
    flag_type,
)

PASSWORD = "a-long-test-password"  # UserFactory's


def _upn(body: str) -> str:
    return upn_check_letter(body) + body


@dataclass(frozen=True)
class Person:
    forenames: str
    surname: str
    upn: str
    date_of_birth: date
    postcode: str

    def needles(self) -> dict[str, str]:
        """Each way this child's details could be written, by what it would reveal."""
        dob = self.date_of_birth
        return {
            "forenames": self.forenames,
            "surname": self.surname,
            "UPN": self.upn,
            "date of birth (ISO)": dob.isoformat(),
            "date of birth (dd/mm/yyyy)": dob.strftime("%d/%m/%Y"),
            "date of birth (d Month yyyy)": f"{dob.day} {dob:%B %Y}",
            "date of birth (d Mon yyyy)": f"{dob.day} {dob:%b %Y}",
            "postcode": self.postcode,
            "postcode (no space)": self.postcode.replace(" ", ""),
        }


# Distinctive enough that no page furniture, reference or random token could contain them.
ON_CASELOAD = Person("Quillonia", "Zarkovitch", _upn("343201400123"), date(2014, 7, 19), "PR8 6QZ")
NOT_VISITED = Person(
    "Peregrine", "Mollusqueton", _upn("343201500456"), date(2016, 2, 11), "L30 2WY"
)
FROM_SCHOOL = Person("Thaddeus", "Vrellingham", _upn("343201300789"), date(2013, 11, 23), "L37 4XW")
FROM_PUBLIC = Person("Ottoline", "Braxwaithe", "", date(2015, 5, 4), "L21 8HB")
CHILDREN = (ON_CASELOAD, NOT_VISITED, FROM_SCHOOL, FROM_PUBLIC)


def leaks(text: str) -> list[str]:
    """Which of the children's details `text` holds, read as a person or a log reader would
    (percent-decoded, HTML entities resolved, any case)."""
    readable = html.unescape(unquote_plus(text)).casefold()
    found = []
    for child in CHILDREN:
        for what, needle in child.needles().items():
            if needle and needle.casefold() in readable:
                found.append(f"{child.forenames}'s {what} ({needle})")
    return found


# --- what the journey records --------------------------------------------------------------


@dataclass
class Exchange:
    client: str
    method: str
    url: str
    status: int
    location: str
    body: str
    environ: dict[str, Any]
    headers: list[tuple[str, str]]


@dataclass
class Journal:
    exchanges: list[Exchange] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)


class RecordingClient(Client):
    """A test client that notes every request it makes, each hop of a redirect included."""

    def __init__(self, journal: Journal, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("raise_request_exception", False)
        super().__init__(**kwargs)
        self.journal = journal
        self.name = name

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        environ = dict(response.wsgi_request.environ)
        query = environ.get("QUERY_STRING", "")
        streaming = getattr(response, "streaming", False)
        self.journal.exchanges.append(
            Exchange(
                client=self.name,
                method=environ["REQUEST_METHOD"],
                url=environ["PATH_INFO"] + (f"?{query}" if query else ""),
                status=response.status_code,
                location=response.get("Location", ""),
                body="" if streaming else response.content.decode(errors="replace"),
                environ=environ,
                headers=list(response.items()),
            )
        )
        return response


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def hidden_inputs(client: Client, url: str) -> dict[str, str]:
    """The hidden fields of the form at `url` (the case's version, for one), as a browser sends."""
    parser = _HiddenInputs()
    parser.feed(client.get(url).content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def post_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    response = client.post(url, {**hidden_inputs(client, url), **data})
    assert response.status_code == 302, (url, response.status_code)
    return response


# --- a view that fails as a real one can: PostgreSQL quotes the row in its error ----------------


def failing_view(request: HttpRequest, public_id: str) -> HttpResponse:
    child = Child.objects.get(public_id=public_id)
    with transaction.atomic():
        FormerUpn.objects.create(child=child, upn=child.upn)
        # PostgreSQL: 'DETAIL:  Key (child_id, upn)=(1, P343201400123) already exists.'
        FormerUpn.objects.create(child=child, upn=child.upn)
    return HttpResponse("not reached")


urlpatterns = [
    path("test-only/children/<uuid:public_id>/fail/", failing_view),
    path("", include("cmetrack.urls")),
]


# --- capture ------------------------------------------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record of every logger, at every level, through production's JSON formatter and
    request-id filter (settings/base.py LOGGING with settings/production.py's `json`)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(CmetrackJsonFormatter())
    handler.addFilter(CorrelationId())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger, level in levels.items():
            logger.setLevel(level)
            if handler in logger.handlers:
                logger.removeHandler(handler)


def access_line(exchange: Exchange, tmp_path: Path) -> str:
    """What gunicorn writes to its access log for this exchange, with cmetrack's settings."""
    config = Config()
    config.set("access_log_format", gunicorn_config.access_log_format)
    log_file = tmp_path / "access.log"
    log_file.unlink(missing_ok=True)
    config.set("accesslog", str(log_file))
    logger = gunicorn_config.logger_class(config)
    environ = dict(exchange.environ)
    query = environ.get("QUERY_STRING", "")
    environ["RAW_URI"] = environ["PATH_INFO"] + (f"?{query}" if query else "")
    request_headers = [
        (key[5:].replace("_", "-"), str(value))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    response = SimpleNamespace(
        status=f"{exchange.status} -",
        sent=len(exchange.body),
        headers=exchange.headers,
    )
    try:
        logger.access(response, SimpleNamespace(headers=request_headers), environ, timedelta(0))
    finally:
        for handler in [*logger.access_log.handlers, *logger.error_log.handlers]:
            handler.close()
        logger.access_log.handlers.clear()
    return log_file.read_text()


# --- the world ----------------------------------------------------------------------------


@dataclass
class World:
    officer: User
    manager: User
    administrator: User
    school_user: User
    outsider: User
    case: Case
    other_case: Case


def _child(person: Person) -> Child:
    child = ChildFactory(
        forenames=person.forenames,
        surname=person.surname,
        upn=person.upn,
        date_of_birth=person.date_of_birth,
    )
    AddressFactory(child=child, postcode=person.postcode, postcode_raw=person.postcode)
    return child


@pytest.fixture
def world(db: None) -> World:
    cache.clear()
    team = OrganisationFactory(kind=Organisation.Kind.LA_TEAM, name="Sefton CME team")
    officer = UserFactory(role=User.Role.CME_OFFICER, organisation=team)
    school = SchoolFactory()
    school_org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    wirral = OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Wirral", la_code="344")
    return World(
        officer=officer,
        manager=UserFactory(role=User.Role.CME_MANAGER, organisation=team),
        administrator=UserFactory(role=User.Role.ADMIN, organisation=team),
        school_user=UserFactory(role=User.Role.SCHOOL_USER, organisation=school_org),
        outsider=UserFactory(role=User.Role.OTHER_LA_USER, organisation=wirral),
        case=CaseFactory(child=_child(ON_CASELOAD), assigned_to=officer),
        other_case=CaseFactory(child=_child(NOT_VISITED)),
    )


def _date(prefix: str, value: date | None) -> dict[str, str]:
    if value is None:
        return {f"{prefix}_{i}": "" for i in range(3)}
    return {
        f"{prefix}_0": str(value.day),
        f"{prefix}_1": str(value.month),
        f"{prefix}_2": str(value.year),
    }


def signed_in(journal: Journal, user: User, name: str) -> RecordingClient:
    """Signs in through the real sign-in page, as a person does (2FA is off in test settings)."""
    client = RecordingClient(journal, name)
    response = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, "sign-in failed"
    return client


# --- the journey --------------------------------------------------------------------------


def journey(world: World, journal: Journal) -> None:
    case, child = world.case, world.case.child
    case_url = reverse("cases:detail", args=[case.public_id])

    # The CME officer: dashboard, searches (posted, by name, UPN and date of birth), the list.
    officer = signed_in(journal, world.officer, "officer")
    assert officer.get(reverse("cases:dashboard")).status_code == 200
    for words in (
        f"{ON_CASELOAD.forenames} {ON_CASELOAD.surname}",
        ON_CASELOAD.upn,
        ON_CASELOAD.date_of_birth.strftime("%d/%m/%Y"),
        NOT_VISITED.surname,
    ):
        assert officer.post(reverse("cases:list"), {"q": words}, follow=True).status_code == 200
    # An old bookmark with the words in its address: they are moved into the session at once.
    # Its own URL holds them because the test typed it; what cmetrack answers must not.
    bookmark = f"{reverse('cases:list')}?q={FROM_SCHOOL.surname}"
    journal.typed.append(bookmark)
    officer.get(bookmark, follow=True)
    assert officer.get(reverse("cases:list"), {"status": "open"}).status_code == 200
    assert officer.get(case_url).status_code == 200

    # Changes to the case, each form sent with what the page gave (the case's version).
    post_form(
        officer,
        reverse("cases:status", args=[case.public_id]),
        {"status": "enquiries", "note": f"Phoned {ON_CASELOAD.forenames}'s mother"},
    )
    post_form(
        officer,
        reverse("cases:note", args=[case.public_id]),
        {"text": f"Home visit to {ON_CASELOAD.postcode}: {ON_CASELOAD.forenames} not seen."},
    )
    post_form(officer, reverse("cases:risk", args=[case.public_id]), {"risk_level": "high"})
    # A child protection plan escalates to children's social care: the MASH email goes out.
    post_form(
        officer,
        reverse("cases:flag-add", args=[case.public_id]),
        {"flag_type": flag_type("child-protection-plan").pk},
    )
    manager = signed_in(journal, world.manager, "manager")
    post_form(
        manager, reverse("cases:assign", args=[case.public_id]), {"officer": world.manager.pk}
    )

    # A school's deletion return, with the acknowledgement emailed to the school.
    school = signed_in(journal, world.school_user, "school")
    sent = school.post(
        reverse("referrals:deletion"),
        {
            "forenames": FROM_SCHOOL.forenames,
            "surname": FROM_SCHOOL.surname,
            "sex": "M",
            "upn": FROM_SCHOOL.upn,
            "address_line_1": "1 Example Road",
            "town": "Formby",
            "postcode": FROM_SCHOOL.postcode,
            **_date("date_of_birth", FROM_SCHOOL.date_of_birth),
            "parent_names": f"Jo {FROM_SCHOOL.surname}",
            "emergency_phone": "07700 900123",
            "ground": "g",
            "new_address": "",
            "new_school_name": "",
            **_date("deletion_date", timezone.localdate() + timedelta(days=1)),
            **_date("new_address_from", None),
            **_date("new_school_start", None),
        },
        follow=True,
    )
    assert sent.status_code == 200
    submission = Submission.objects.get(upn=FROM_SCHOOL.upn)
    assert school.get(reverse("referrals:mine")).status_code == 200

    # Triage of the return by the team.
    assert officer.get(reverse("referrals:incoming")).status_code == 200
    assert officer.get(reverse("referrals:triage", args=[submission.public_id])).status_code == 200

    # A member of the public's concern, with the acknowledgement emailed back.
    public = RecordingClient(journal, "anonymous")
    assert public.get(reverse("referrals:concern")).status_code == 200
    concern = public.post(
        reverse("referrals:concern"),
        {
            "about_child": f"{FROM_PUBLIC.forenames} {FROM_PUBLIC.surname}, about 11",
            "where": f"Flat 2, {FROM_PUBLIC.postcode}",
            "why_worried": f"{FROM_PUBLIC.forenames} has not been at school since Easter",
            "contact_email": "worried.neighbour@example.invalid",
        },
        follow=True,
    )
    assert concern.status_code == 200

    # The two addresses with a credential in their path: a password reset and a set-up link.
    assert (
        public.post(
            reverse("accounts:password-reset"), {"email": world.officer.email}, follow=True
        ).status_code
        == 200
    )
    reset_link = re.search(r"https?://\S+/account/password/reset/\S+/", str(mail.outbox[-1].body))
    assert reset_link, "the reset email holds its link"
    reset_path = urlsplit(reset_link.group(0)).path
    uidb64, reset_token = reset_path.split("/")[-3:-1]
    # The user's id is short ("MQ"): looked for as the path segment it is.
    journal.secrets.extend([reset_token, f"/reset/{uidb64}/"])
    RecordingClient(journal, "anonymous").get(reset_path, follow=True)
    newcomer = UserFactory(role=User.Role.CME_OFFICER, organisation=world.officer.organisation)
    _, token = enrolment_invite_issue(user=newcomer, by=world.administrator)
    journal.secrets.append(token)
    RecordingClient(journal, "anonymous").get(
        reverse("accounts:set-up-link", args=[token]), follow=True
    )
    # A wrong link: a 404 with something token-like in its path.
    wrong = "Xy7" * 14
    journal.secrets.append(wrong)
    assert public.get(reverse("accounts:set-up-link", args=[wrong])).status_code == 404

    # Errors. 404: a case that is not there; a case another authority's user may not see.
    missing = reverse("cases:detail", args=["00000000-0000-4000-8000-000000000000"])
    assert officer.get(missing).status_code == 404
    outsider = signed_in(journal, world.outsider, "other LA")
    assert outsider.get(case_url).status_code in {403, 404}
    # 403: a school at the team's pages; a search posted without its CSRF token.
    assert school.get(case_url).status_code in {403, 404}
    assert school.get(reverse("referrals:incoming")).status_code == 403
    no_csrf = RecordingClient(journal, "officer, no CSRF token", enforce_csrf_checks=True)
    no_csrf.force_login(world.officer)
    assert no_csrf.post(reverse("cases:list"), {"q": ON_CASELOAD.surname}).status_code == 403
    # 400: a search form stuffed past Django's field limit; a forged Host header.
    stuffed = {"q": ON_CASELOAD.upn, **{f"f{i}": ON_CASELOAD.surname for i in range(1001)}}
    assert officer.post(reverse("cases:list"), stuffed).status_code == 400
    assert officer.get(case_url, HTTP_HOST="cmetrack.attacker.example").status_code == 400
    # 500: a view that fails on a constraint naming the child's UPN.
    failing = f"/test-only/children/{child.public_id}/fail/"
    assert officer.get(failing).status_code == 500


# --- the checks ---------------------------------------------------------------------------


ERROR_STATUSES = range(400, 600)


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False, CMETRACK_MASH_EMAIL="mash@example.invalid")
def test_a_full_journey_leaves_no_childs_details_in_logs_urls_emails_or_error_pages(
    world: World, log_lines: io.StringIO, tmp_path: Path
) -> None:
    journal = Journal()
    journey(world, journal)

    # The journey did what it claims: every kind of exchange and email is there to be scanned.
    statuses = {exchange.status for exchange in journal.exchanges}
    assert {200, 302, 400, 403, 404, 500} <= statuses
    kinds = set(OutboundEmail.objects.values_list("kind", flat=True))
    assert {"acknowledgement", "mash-escalation", "password-reset"} <= kinds
    lines = log_lines.getvalue().splitlines()
    logged = [json.loads(line) for line in lines]
    assert {"django.request", "django.security.csrf"} <= {line["logger"] for line in logged}
    assert any(line["level"] == "ERROR" and "exc_info" in line for line in logged)

    problems: list[str] = []
    for line in lines:
        problems += [f"log line {line[:160]}: {leak}" for leak in leaks(line)]
        problems += [f"log line {line[:160]}: a token" for s in journal.secrets if s in line]
    for exchange in journal.exchanges:
        where = f"{exchange.client} {exchange.method} {exchange.url} ({exchange.status})"
        if exchange.url not in journal.typed:
            problems += [f"URL of {where}: {leak}" for leak in leaks(exchange.url)]
        problems += [f"redirect from {where}: {leak}" for leak in leaks(exchange.location)]
        if exchange.status in ERROR_STATUSES or exchange.client == "anonymous":
            problems += [f"page of {where}: {leak}" for leak in leaks(exchange.body)]
    for email in mail.outbox:
        problems += [f"email {email.subject!r}: {leak}" for leak in leaks(str(email.subject))]
        problems += [f"email {email.subject!r}: {leak}" for leak in leaks(str(email.body))]
    for kept in OutboundEmail.objects.all():
        problems += [f"outbox {kept.subject!r}: {leak}" for leak in leaks(kept.subject + kept.body)]
    assert not problems, "\n".join(problems)


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False, CMETRACK_MASH_EMAIL="mash@example.invalid")
def test_each_requests_access_log_line_holds_no_query_token_or_childs_details(
    world: World, log_lines: io.StringIO, tmp_path: Path
) -> None:
    journal = Journal()
    journey(world, journal)
    with_query = [exchange for exchange in journal.exchanges if "?" in exchange.url]
    assert with_query, "the journey sends queries (the list's search key, filters, next=)"
    problems: list[str] = []
    for exchange in journal.exchanges:
        line = access_line(exchange, tmp_path)
        record = json.loads(line)
        assert record["method"] == exchange.method and record["status"] == exchange.status
        where = f"{exchange.method} {exchange.url}"
        if "?" in record["path"] or "?" in line:
            problems.append(f"{where}: a query string in {line}")
        problems += [f"{where}: a token in {line}" for s in journal.secrets if s in line]
        problems += [f"{where}: {leak}" for leak in leaks(line)]
    assert not problems, "\n".join(problems)
    paths = {json.loads(access_line(e, tmp_path))["path"] for e in journal.exchanges}
    assert "/account/set-up/[redacted]/" in paths
    assert "/account/password/reset/[redacted]/[redacted]/" in paths


# --- the rules the journey relies on, one by one -------------------------------------------

FORMATTERS = [CmetrackJsonFormatter, TextFormatter]
TOKENS = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=64)


def _formatted(formatter: type[logging.Formatter], name: str, message: str, **extra: Any) -> str:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, message, (), None)
    for key, value in {"correlation_id": "abc123", **extra}.items():
        setattr(record, key, value)
    return formatter().format(record)


@pytest.mark.parametrize("formatter", FORMATTERS)
@given(token=TOKENS)
@example(token="password-but-longer")
def test_a_set_up_links_token_is_redacted_wherever_a_log_line_writes_its_path(
    formatter: type[logging.Formatter], token: str
) -> None:
    link = reverse("accounts:set-up-link", args=[token])
    request = SimpleNamespace(method="GET", path=link)
    line = _formatted(formatter, "django.request", f"Not Found: {link}", request=request)
    # As a path segment: a token made of letters may also spell a word the line holds anyway
    # (a JSON key such as "correlation_id"), which is no leak.
    assert f"/{token}/" not in line
    assert "/account/set-up/[redacted]/" in line


@pytest.mark.parametrize("formatter", FORMATTERS)
@given(uidb64=TOKENS, token=TOKENS)
@example(uidb64="correlation", token="levelname")
def test_a_password_reset_links_id_and_token_are_redacted(
    formatter: type[logging.Formatter], uidb64: str, token: str
) -> None:
    link = reverse("accounts:password-reset-confirm", args=[uidb64, token])
    line = _formatted(formatter, "django.server", f'"GET {link} HTTP/1.1" 302 0')
    assert f"/{uidb64}/" not in line and f"/{token}/" not in line
    assert "/account/password/reset/[redacted]/[redacted]/" in line


@pytest.mark.parametrize(
    "name",
    [
        "accounts:set-up-password",
        "accounts:set-up-two-factor",
        "accounts:password-reset",
        "accounts:password-reset-sent",
        "accounts:password-reset-complete",
    ],
)
def test_the_pages_around_the_links_keep_their_paths_they_hold_no_secret(name: str) -> None:
    page = reverse(name)
    assert f"Not Found: {page}" in _formatted(TextFormatter, "django.request", f"Not Found: {page}")


@pytest.mark.parametrize("formatter", FORMATTERS)
def test_a_request_lines_query_string_is_cut_from_any_log_line(
    formatter: type[logging.Formatter],
) -> None:
    line = _formatted(
        formatter, "django.server", f'"GET /cases/?q={ON_CASELOAD.surname}&page=2 HTTP/1.1" 302 0'
    )
    assert ON_CASELOAD.surname not in line
    assert "/cases/?[query removed]" in line


@pytest.mark.parametrize("formatter", FORMATTERS)
def test_a_template_lookups_debug_line_keeps_its_message_but_not_the_pages_data(
    formatter: type[logging.Formatter],
) -> None:
    try:
        raise LookupError(
            f"Failed lookup for key [hint] in [{{'child': <Child: {ON_CASELOAD.surname}>}}]"
        )
    except LookupError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.template",
        logging.DEBUG,
        __file__,
        1,
        "Exception while resolving variable %r in template %r.",
        ("hint", "gds/field.html"),
        exc_info,
    )
    record.correlation_id = "abc123"
    line = formatter().format(record)
    assert ON_CASELOAD.surname not in line
    assert "Exception while resolving variable 'hint' in template 'gds/field.html'." in line


def test_an_access_log_line_stays_one_json_record_whatever_the_path_holds(
    tmp_path: Path,
) -> None:
    forged = '/x\\","level":"ERROR'
    exchange = Exchange(
        client="anonymous",
        method="GET",
        url=forged,
        status=404,
        location="",
        body="",
        environ={
            "REQUEST_METHOD": "GET",
            "PATH_INFO": forged,
            "QUERY_STRING": "q=1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "192.0.2.1",
        },
        headers=[],
    )
    record = json.loads(access_line(exchange, tmp_path))
    assert record["path"] == forged and "level" not in record
