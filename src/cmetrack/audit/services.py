"""Forensic records that django-auditlog does not make by itself: views of a record, and refused
attempts to reach one."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any
from uuid import UUID

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django_guid import get_guid

from .models import RefusedAttempt

# The page being answered (its route name, e.g. "cases:detail"), set by the audit middleware
# for the length of a request, so every view entry says which page showed the record.
current_page: ContextVar[str] = ContextVar("cmetrack_current_page", default="")

REFUSED_CODES = frozenset({403, 404})


def record_view(instance: models.Model) -> None:
    """Log that the signed-in user (set by AuditlogMiddleware) viewed this record, and on which
    page. A model django-auditlog does not track gets no entry, as with its `accessed` signal."""
    if instance.pk is None or not auditlog.contains(type(instance)):
        return
    page = current_page.get()
    LogEntry.objects.log_create(
        instance,
        action=LogEntry.Action.ACCESS,
        force_log=True,
        additional_data={"page": page} if page else None,
    )


def record_refusal(
    *,
    user: AbstractBaseUser | AnonymousUser,
    route: str,
    url_kwargs: dict[str, Any],
    status_code: int,
) -> list[RefusedAttempt]:
    """Note that `user` was refused (403, or the 404 a scoped lookup gives) a page whose URL names
    records by public id: one row per id in the URL. Nothing else is kept: no query string, no
    form data, nothing from the record itself. A refusal of anyone not signed in, of a page that
    names no record, or with another answer, is not noted."""
    if not user.is_authenticated or status_code not in REFUSED_CODES:
        return []
    ids = [(key, value) for key, value in url_kwargs.items() if isinstance(value, UUID)]
    if not ids:
        return []
    context: dict[str, Any] = auditlog_value.get(None) or {}
    remote_addr = context.get("remote_addr")
    rows = [
        RefusedAttempt(
            user=user if isinstance(user, get_user_model()) else None,
            route=route[:120],
            keyword=key[:40],
            object_id=value,
            status_code=status_code,
            request_id=(get_guid() or "")[:64],
            remote_addr=remote_addr if isinstance(remote_addr, str) else None,
        )
        for key, value in ids
    ]
    return RefusedAttempt.objects.bulk_create(rows)
