"""One error body for every refusal, whatever raised it:

    {"errors": [{"field": "deletion_date", "message": "Enter the date of removal"}]}

`field` is the request field at fault, or null for the request as a whole. The status code
says the kind: 400 bad input, 401 no valid token, 403 not allowed, 404 not found (or not
yours), 405 method, 413 too large, 415 wrong content type, 429 too many requests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

Problem = dict[str, str | None]


def problems(detail: Any, field: str | None = None) -> list[Problem]:
    """DRF's nested error details (dicts of lists, lists of strings) as flat (field, message)."""
    if isinstance(detail, Mapping):
        found: list[Problem] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__", "detail") else str(key)
            found += problems(value, name if field is None else f"{field}.{name}")
        return found
    if isinstance(detail, Iterable) and not isinstance(detail, str):
        return [p for item in detail for p in problems(item, field)]
    return [{"field": field, "message": str(detail)}]


def error_response(found: list[Problem], code: int) -> Response:
    return Response({"errors": found}, status=code)


def api_exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, RequestDataTooBig):
        return error_response(
            [{"field": None, "message": "The request is too large."}],
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(error, Http404):
        error = exceptions.NotFound("Not found.")
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied(str(error) or "Not allowed.")
    response = exception_handler(error, context)
    if response is None:
        return None  # a real fault: Django's 500, logged with the correlation id
    response.data = {"errors": problems(response.data)}
    return response
