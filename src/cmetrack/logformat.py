"""Log lines as JSON, one per line, with the request id and never a child's details.

The request id comes from django-guid (the `X-Request-ID` header a proxy sends, or a new one),
so the application's lines join gunicorn's access line for the same request. Two things could
carry personal data into a log and are removed here: Django attaches the request object to
its error lines, whose text includes the query string (so only the method and path are kept),
and a PostgreSQL error's traceback quotes the row's values on its DETAIL line.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_DETAIL_LINE = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)
_REDACTED = "DETAIL: [removed: may quote a record's values]"

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s"
RENAMED = {
    "asctime": "time",
    "levelname": "level",
    "name": "logger",
    "correlation_id": "request_id",
}


def without_row_values(text: str) -> str:
    return _DETAIL_LINE.sub(_REDACTED, text)


class CmetrackJsonFormatter(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", FIELDS)
        kwargs.setdefault("rename_fields", RENAMED)
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        request = log_data.pop("request", None)
        if request is not None:
            log_data["method"] = getattr(request, "method", None)
            log_data["path"] = getattr(request, "path", None)
        log_data.pop("server_time", None)

    def formatException(self, ei: Any) -> str:
        return without_row_values(str(super().formatException(ei)))


class TextFormatter(logging.Formatter):
    """For a developer's terminal: one readable line, the request id in brackets."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")

    def formatException(self, ei: Any) -> str:
        return without_row_values(super().formatException(ei))
