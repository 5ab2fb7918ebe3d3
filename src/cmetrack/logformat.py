"""Log lines as JSON, one per line, with the request id and never a child's details.

The request id comes from django-guid (the `X-Request-ID` header a proxy sends, or a new one),
so the application's lines join gunicorn's access line for the same request. What could carry
personal data or a credential into a log is removed here:

- Django attaches the request object to its error lines, whose text includes the query string,
  so only the method and path are kept;
- a PostgreSQL error's traceback quotes the row's values on its DETAIL line;
- a query string in any line (a development server's request line, an old bookmark's `?q=`)
  is cut off, because a query could carry what a user typed;
- at DEBUG, Django's template engine attaches to "Exception while resolving variable" an
  exception whose text is the whole template context, the page's data included: the message
  (the variable's and the template's names) is kept, the exception is not;
- the two addresses that carry a secret in their path, the set-up link
  (`/account/set-up/<token>/`) and the password reset link
  (`/account/password/reset/<uidb64>/<token>/`), have those segments replaced by `[redacted]`
  wherever a path is written (gunicorn's access log uses the same rule: gunicorn_config.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_DETAIL_LINE = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)
_REDACTED = "DETAIL: [removed: may quote a record's values]"

REDACTED = "[redacted]"
# A path segment: anything up to the next slash, query, quote or space.
_SEGMENT = r"[^/?#\s\"'<>]+"
# accounts/urls.py: `set-up/<token>/` beside its two steps, whose addresses carry no token.
_SET_UP_TOKEN = re.compile(rf"(/account/set-up/)(?!(?:password|two-factor)(?:/|$)){_SEGMENT}")
# Django's reset confirm page: `reset/<uidb64>/<token>/`, then `reset/<uidb64>/set-password/`
# once it has moved the token into the session; `reset/sent/` and `reset/done/` have one segment.
_RESET_TOKEN = re.compile(rf"(/account/password/reset/){_SEGMENT}/{_SEGMENT}")
# A path's query string: a path (or a whole address) that starts a word or a quoted string.
_QUERY = re.compile(r"((?:^|(?<=[\s\"'(=]))(?:https?://[^\s/?\"']+)?/[^\s?\"']*)\?[^\s\"']+")
QUERY_REMOVED = "?[query removed]"

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"
RENAMED = {
    "asctime": "time",
    "levelname": "level",
    "name": "logger",
    "correlation_id": "request_id",
}


def without_row_values(text: str) -> str:
    return _DETAIL_LINE.sub(_REDACTED, text)


def _reset_redacted(match: re.Match[str]) -> str:
    tail = match.group(0)[len(match.group(1)) :].split("/", 1)[1]
    return f"{match.group(1)}{REDACTED}/{tail if tail == 'set-password' else REDACTED}"


def without_secret_paths(text: str) -> str:
    """The set-up and password reset links' secret segments replaced by `[redacted]`."""
    text = _SET_UP_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    return _RESET_TOKEN.sub(_reset_redacted, text)


def without_queries(text: str) -> str:
    return _QUERY.sub(rf"\g<1>{QUERY_REMOVED}", text)


def scrubbed(text: str) -> str:
    """A log line's text as it may be written: no query string, no secret in a path, no row's
    values from a database error."""
    return without_row_values(without_secret_paths(without_queries(text)))


def _without_template_context(record: logging.LogRecord) -> logging.LogRecord:
    if record.name != "django.template" or not (record.exc_info or record.exc_text):
        return record
    kept = logging.makeLogRecord(record.__dict__)
    kept.exc_info, kept.exc_text = None, None
    return kept


class CmetrackJsonFormatter(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", FIELDS)
        kwargs.setdefault("rename_fields", RENAMED)
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return str(super().format(_without_template_context(record)))

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        request = log_data.pop("request", None)
        if request is not None:
            log_data["method"] = getattr(request, "method", None)
            log_data["path"] = getattr(request, "path", None)
        log_data.pop("server_time", None)
        # The message, the path and any extra a library attached, the traceback included.
        for key, value in log_data.items():
            if isinstance(value, str):
                log_data[key] = scrubbed(value)

    def formatException(self, ei: Any) -> str:
        return without_row_values(str(super().formatException(ei)))


class TextFormatter(logging.Formatter):
    """For a developer's terminal: one readable line, the request id in brackets."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return scrubbed(super().format(_without_template_context(record)))

    def formatException(self, ei: Any) -> str:
        return without_row_values(super().formatException(ei))
