"""Reads for the privacy pages, scoped by the acting user.

The per-child audit trail: every view and change django-auditlog recorded of the records held
about one child (the child, their cases and every row the subject-access document exports) and
every refused attempt at a page naming the child or one of their cases, newest first. What each
line says is who, when, the action, the record's kind, the page or the fields changed: never a
value, so no name, address or note text is copied from the records into the trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import models

from cmetrack.accounts.access import AnyUser, is_manager
from cmetrack.accounts.models import User
from cmetrack.audit.models import RefusedAttempt
from cmetrack.cases.models import Case
from cmetrack.children.models import Child
from cmetrack.children.selectors import child_get

from .page_labels import page_label
from .subject_access import audit_entries_of, records_about

ACTIONS = {
    LogEntry.Action.CREATE: "Created",
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Deleted",
    LogEntry.Action.ACCESS: "Viewed",
}


@dataclass(frozen=True)
class AuditLine:
    when: datetime
    who: str
    who_id: int | None
    action: str  # Viewed, Created, Changed, Deleted, Refused
    record: str  # the kind of record, and a case's reference
    page: str  # the route name of the page, for views and refusals
    fields: tuple[str, ...]  # the fields a change touched (names only, never values)
    answer: int | None = None  # a refusal's answer code (403 or 404)

    @property
    def page_title(self) -> str:
        return page_label(self.page)


@dataclass(frozen=True)
class AuditTrail:
    child: Child
    lines: list[AuditLine]
    people: list[tuple[int, str]]  # everyone in the unfiltered trail, for the person filter


def child_audit_child(*, user: AnyUser, public_id: UUID | str) -> Child:
    """The child whose audit trail `user` asks for: CME managers and administrators only (403
    for anyone else, before any lookup), and 404 for a child they may not see."""
    if not is_manager(user):
        raise PermissionDenied("The audit trail of a child is for CME managers.")
    return child_get(user=user, public_id=public_id)


def _record_label(model: type[models.Model] | None, pk: str, references: dict[str, str]) -> str:
    if model is Child:
        return "child's record"
    if model is Case:
        return f"case {references.get(pk, '')}".strip()
    if model is None:
        return "record"
    return str(model._meta.verbose_name)


def _who(user: User | None) -> str:
    return str(user) if user is not None else "the system"


def child_audit_trail(
    *,
    user: AnyUser,
    public_id: UUID | str,
    since: date | None = None,
    until: date | None = None,
    person: int | None = None,
) -> AuditTrail:
    """The child's trail, newest first, from `since` to `until` (local dates, both included)
    and by one `person` (a user's id) when given. Refused as `child_audit_child` refuses."""
    child = child_audit_child(user=user, public_id=public_id)
    entries = audit_entries_of(records_about(child))
    cases = list(child.cases.values_list("pk", "public_id", "reference"))
    references = {str(pk): reference for pk, _, reference in cases}
    refused = RefusedAttempt.objects.filter(
        object_id__in=[child.public_id, *(public for _, public, _ in cases)]
    )
    people = _people(entries, refused)
    if since is not None:
        entries = entries.filter(timestamp__date__gte=since)
        refused = refused.filter(at__date__gte=since)
    if until is not None:
        entries = entries.filter(timestamp__date__lte=until)
        refused = refused.filter(at__date__lte=until)
    if person is not None:
        entries = entries.filter(actor_id=person)
        refused = refused.filter(user_id=person)
    lines = [
        AuditLine(
            when=entry.timestamp,
            who=_who(entry.actor),
            who_id=entry.actor_id,
            action=ACTIONS.get(entry.action, "Recorded"),
            record=_record_label(entry.content_type.model_class(), entry.object_pk, references),
            page=str((entry.additional_data or {}).get("page", ""))
            if isinstance(entry.additional_data, dict)
            else "",
            fields=tuple(sorted((entry.changes_dict or {}).keys()))
            if entry.action != LogEntry.Action.ACCESS
            else (),
        )
        for entry in entries.select_related("actor", "content_type").defer(
            "serialized_data", "object_repr", "changes_text"
        )
    ]
    case_ids = {str(public): reference for _, public, reference in cases}
    lines += [
        AuditLine(
            when=attempt.at,
            who=_who(attempt.user),
            who_id=attempt.user_id,
            action="Refused",
            record="child's record"
            if attempt.object_id == child.public_id
            else f"case {case_ids.get(str(attempt.object_id), '')}".strip(),
            page=attempt.route,
            fields=(),
            answer=attempt.status_code,
        )
        for attempt in refused.select_related("user")
    ]
    lines.sort(key=lambda line: line.when, reverse=True)
    return AuditTrail(child=child, lines=lines, people=people)


def _people(
    entries: models.QuerySet[LogEntry], refused: models.QuerySet[RefusedAttempt]
) -> list[tuple[int, str]]:
    ids = set(entries.exclude(actor=None).values_list("actor_id", flat=True).distinct())
    ids |= set(refused.exclude(user=None).values_list("user_id", flat=True).distinct())
    users = User.objects.filter(pk__in=ids)
    return sorted(((u.pk, str(u)) for u in users), key=lambda item: item[1].lower())
