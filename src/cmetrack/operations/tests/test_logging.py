"""Log lines: JSON with the request id, and no personal data from requests or database errors."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from django.test import Client, RequestFactory

from cmetrack.logformat import CmetrackJsonFormatter, without_row_values


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, (), None)
    for key, value in {"correlation_id": "abc123", **extra}.items():
        setattr(made, key, value)
    return made


def test_a_json_line_carries_the_request_id_level_and_logger() -> None:
    line = json.loads(CmetrackJsonFormatter().format(record("Something happened")))
    assert line["request_id"] == "abc123"
    assert line["level"] == "ERROR" and line["logger"] == "django.request"
    assert line["message"] == "Something happened"


def test_a_request_attached_to_a_log_line_keeps_its_path_but_not_its_query() -> None:
    request = RequestFactory().get("/cases/", {"q": "Zebedee Quartermaine"})
    line = CmetrackJsonFormatter().format(record("Internal Server Error: /cases/", request=request))
    assert "Zebedee" not in line
    parsed = json.loads(line)
    assert parsed["path"] == "/cases/" and parsed["method"] == "GET"


def test_a_database_errors_detail_line_is_removed_from_the_traceback() -> None:
    try:
        raise RuntimeError(
            'duplicate key value violates unique constraint "upn"\n'
            "DETAIL:  Key (upn)=(A123456789012) already exists."
        )
    except RuntimeError:
        failed = record("Job failed")
        failed.exc_info = sys.exc_info()
    line = CmetrackJsonFormatter().format(failed)
    assert "A123456789012" not in line and "duplicate key value" in line


def test_without_row_values_leaves_other_lines_alone() -> None:
    assert without_row_values("one\n  DETAIL: x=1\ntwo") == (
        "one\nDETAIL: [removed: may quote a record's values]\ntwo"
    )


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_proxys_id_is_kept() -> None:
    fresh = Client().get("/healthz")
    assert len(fresh["X-Request-ID"]) == 32
    given = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert Client().get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    # Not a UUID: replaced, so a client cannot write what it likes into the logs.
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"
