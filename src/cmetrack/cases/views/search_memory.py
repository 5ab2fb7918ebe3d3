"""What an officer typed into the case search, kept in their session, never in a URL.

A search names a child (a name, a UPN, a date of birth). In a URL it would sit in the browser's
history, the proxy's and the server's logs and any Referer header. So the search form is
posted, the words are kept in the signed-in session under a short random key, and the list's
URL carries only that key (`?search=k3J9xQ`), which means nothing to anyone else and expires
with the session.
"""

from __future__ import annotations

import secrets

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "case_searches"
KEPT = 20  # the latest searches of this session; older keys answer "search again"


def search_remember(session: SessionBase, text: str) -> str:
    searches: dict[str, str] = dict(session.get(SESSION_KEY, {}))
    key = secrets.token_urlsafe(6)
    searches[key] = text
    session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return key


def search_recall(session: SessionBase, key: str) -> str | None:
    searches = session.get(SESSION_KEY, {})
    value = searches.get(key) if isinstance(searches, dict) else None
    return value if isinstance(value, str) else None
