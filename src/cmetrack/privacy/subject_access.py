"""Subject access: everything cmetrack holds about one child, as one JSON document.

Built from the model graph (the child, every row that points at the child or at one of the
child's cases, and those rows' own children one level down), so a table added later is
included without anyone remembering to add it here. Internal keys are replaced by the records'
public ids or labels; the audit trail of who viewed or changed the records is included, as the
UK GDPR right of access expects.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from cmetrack.cases.events import describe
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.children.models import Child

# Never exported: secrets and internal bookkeeping that say nothing about the child.
SKIP_FIELDS = frozenset({"id", "password", "key", "rule_key", "stored_file"})


def _value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        if related is None:
            return None
        public = getattr(related, "public_id", None)
        return str(related) if public is None else {"id": str(public), "label": str(related)}
    value = getattr(obj, field.attname)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    display = getattr(obj, f"get_{field.name}_display", None)
    if field.choices and callable(display):
        return {"code": value, "label": display()}
    return value


def record(obj: models.Model) -> dict[str, Any]:
    return {
        f.name: _value(obj, f)
        for f in obj._meta.concrete_fields
        if f.name not in SKIP_FIELDS and not f.name.endswith("_ptr")
    }


def _children_rows(
    owner: models.Model, skip: set[type[models.Model]]
) -> dict[str, list[models.Model]]:
    found: dict[str, list[models.Model]] = {}
    for relation in owner._meta.related_objects:
        related = relation.related_model
        if not (relation.one_to_many and isinstance(related, type)) or related in skip:
            continue
        accessor = relation.get_accessor_name()
        if accessor:
            rows = list(getattr(owner, accessor).all())
            if rows:
                found[f"{related._meta.app_label}.{related._meta.model_name}"] = rows
    return found


def records_about(child: Child) -> list[models.Model]:
    """Every record the subject-access document exports for this child: the child, each case
    and its timeline, the rows pointing at either and those rows' own rows one level down (the
    same walk as `subject_access_document`), and the rows of the child's own rows (a home-education
    record's reviews), for the per-child audit page."""
    found: list[models.Model] = [child]
    for case in child.cases.all():
        found.append(case)
        found += list(case.events.all())
        for rows in _children_rows(case, {CaseEvent}).values():
            found += rows
            for row in rows:
                for sub_rows in _children_rows(row, set()).values():
                    found += sub_rows
    for rows in _children_rows(child, {Child, Case}).values():
        found += rows
        for row in rows:
            for sub_rows in _children_rows(row, set()).values():
                found += sub_rows
    return found


def audited_models(model: type[models.Model]) -> list[type[models.Model]]:
    """The model and the models that extend it by table inheritance: a deletion return saved is
    audited as a deletion return, under the key it shares with its submission, while the walk
    from a case finds the submission."""
    return [model, *(m for m in apps.get_models() if model in m._meta.get_parent_list())]


def audit_entries_of(objects: Iterable[models.Model]) -> QuerySet[LogEntry]:
    """django-auditlog's entries about these records (as saved, also under a subclass)."""
    by_type: dict[int, list[str]] = {}
    types: dict[type[models.Model], list[int]] = {}
    for obj in objects:
        if (cts := types.get(type(obj))) is None:
            cts = types[type(obj)] = [
                ContentType.objects.get_for_model(model).pk for model in audited_models(type(obj))
            ]
        for ct_pk in cts:
            by_type.setdefault(ct_pk, []).append(str(obj.pk))
    which = Q(pk__in=[])
    for ct_pk, pks in by_type.items():
        which |= Q(content_type_id=ct_pk, object_pk__in=pks)
    return LogEntry.objects.filter(which)


def _audit_trail(objects: Iterable[models.Model]) -> list[dict[str, Any]]:
    trail = [
        {
            "when": entry.timestamp.isoformat(),
            "who": str(entry.actor) if entry.actor else "the system",
            "action": entry.get_action_display(),
            "record": entry.content_type.model,
            "changed": sorted((entry.changes_dict or {}).keys()),
        }
        for entry in audit_entries_of(objects).select_related("actor", "content_type")
    ]
    return sorted(trail, key=lambda item: item["when"])


def subject_access_document(child: Child) -> dict[str, Any]:
    """The whole record of one child. The caller checks the requester may have it."""
    exported: list[models.Model] = [child]
    related: dict[str, list[dict[str, Any]]] = {}
    cases = []
    for case in child.cases.all().order_by("referral_date"):
        exported.append(case)
        timeline = [
            {
                "when": e.occurred_at.isoformat(),
                "by": str(e.actor) if e.actor else "the system",
                "what": describe(e.kind, e.payload),
                "detail": e.payload,
            }
            for e in case.events.order_by("occurred_at", "id")
        ]
        exported += list(case.events.all())
        case_related = {}
        for name, rows in _children_rows(case, {CaseEvent}).items():
            exported += rows
            case_related[name] = [record(r) for r in rows]
            for row in rows:  # one level further: a referral's actions and home visits
                for sub_name, sub_rows in _children_rows(row, set()).items():
                    exported += sub_rows
                    case_related.setdefault(sub_name, []).extend(record(r) for r in sub_rows)
        cases.append({**record(case), "timeline": timeline, "related": case_related})
    for name, rows in _children_rows(child, {Child, Case}).items():
        exported += rows
        related[name] = [record(r) for r in rows]
        for row in rows:  # one level further: a home-education record's reviews
            for sub_name, sub_rows in _children_rows(row, set()).items():
                exported += sub_rows
                related.setdefault(sub_name, []).extend(record(r) for r in sub_rows)
    return {
        "produced_at": timezone.now().isoformat(),
        "about": "Everything cmetrack holds about this child (UK GDPR article 15).",
        "child": record(child),
        "held_about_the_child": related,
        "cases": cases,
        "audit_trail": _audit_trail(exported),
    }
