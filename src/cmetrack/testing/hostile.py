"""Hostile form input for the "no input gives a 500" property tests (issue 9).

`hostile_post(valid)` starts from a valid POST and, in a few of its fields, replaces the value
with something nasty (huge, NUL, unicode, overflowing numbers, impossible dates, SQL and HTML),
sends several values, or leaves the field out. `posted_safely` sends it with Django's test
Client and checks the answer is never 5xx and that a refusal (anything but a redirect) wrote
nothing. Each example runs in a savepoint that is rolled back, so the examples do not see each
other's rows and a database error in one cannot poison the next.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.apps import apps
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

# One settings object for every never-500 test: modest, no deadline (a page render varies),
# function-scoped fixtures are fine because every example undoes its own writes.
NEVER_500 = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY: tuple[str, ...] = (
    "",
    " ",
    "0",
    "-1",
    "00",
    "1e9",
    "NaN",
    "99999999999",
    "-99999999999",
    "9" * 5000,  # over Python's 4,300-digit int() limit
    "0001",
    "0001-01-01",
    "9999-12-31",
    "9999-99-99",
    "31/02/2026",
    "1/1/1",
    "\x00",
    "a\x00b",
    "\ufeff",
    "\u202e\u0647\u0644\u0627",
    "\U0001d518\U0001d52b\U0001d526",
    "\u0663",  # an Arabic-Indic digit: str.isdigit() but not [0-9]
    "\uff11\uff12",  # full-width digits
    "İstanbul ß ǅ",
    "\r\n\t",
    "' OR 1=1 --",
    "'); DROP TABLE cases_case; --",
    '"><script>alert(1)</script>',
    "{{ request }}{% csrf_token %}",
    '=HYPERLINK("http://x")',
    "%s%s%n",
    "../../etc/passwd",
    "None",
    "true",
    "[]",
    "00000000-0000-0000-0000-000000000000",
    "CME-0000-0000",
)


def _repeat(char: str, size: int) -> str:
    return char * size


hostile_text: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.builds(
        _repeat,
        st.sampled_from(["x", "é", "9", "\U0001f600", "\x00"]),
        # Just over the usual column limits (13, 20, 40, 100, 200, 300), and far over.
        st.sampled_from([14, 21, 41, 101, 201, 301, 2001, 20_000]),
    ),
)


class _Missing:
    """The field is left out of the POST."""


MISSING = _Missing()


# One field's nasty answer: a value, several values, or none at all.
hostile_value: st.SearchStrategy[Any] = st.one_of(
    hostile_text, st.lists(hostile_text, min_size=2, max_size=3), st.just(MISSING)
)


@st.composite
def _mutated(draw: st.DrawFn, valid: Mapping[str, Any], extra: tuple[str, ...]) -> dict[str, Any]:
    post = dict(valid)
    names = sorted({*valid, *extra})
    # A few fields at a time, the rest valid: so the form gets past its own checks and the
    # nasty value reaches the service, the database and the page that shows it.
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=4)) if names else []:
        value = draw(hostile_value)
        if value is MISSING:
            post.pop(name, None)
        else:
            post[name] = value
    return post


def hostile_post(
    valid: Mapping[str, Any], extra: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """A POST built from `valid` with up to four fields made nasty, repeated or dropped;
    `extra` names fields the page reads but the valid POST leaves out."""
    return _mutated(valid, extra)


def row_counts() -> dict[str, int]:
    """Rows in every table of cmetrack's own models, and audit entries of changes (a page that
    shows a record writes an access entry whatever is posted to it)."""
    counts = {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("cmetrack.")
    }
    counts["auditlog changes"] = LogEntry.objects.exclude(action=LogEntry.Action.ACCESS).count()
    return counts


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Run the block in a savepoint and roll it back afterwards, whatever happened."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


REDIRECTS = {301, 302, 303}


def posted_safely(
    client: Client, url: str, data: Mapping[str, Any], *, method: str = "post"
) -> Response:
    """Send `data`; the answer is never 5xx, and a refusal wrote nothing."""
    before = row_counts()
    send = client.post if method == "post" else client.get
    response = send(url, data)
    assert response.status_code < 500, (response.status_code, data)
    if response.status_code not in REDIRECTS:
        assert row_counts() == before, (response.status_code, data)
    return response
