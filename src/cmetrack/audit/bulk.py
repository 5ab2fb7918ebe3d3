"""Insert many rows at once and still leave django-auditlog's CREATE entry for each of them.

Why: an import of thousands of rows cannot afford one save() (and one audit insert) per row, but
every row must be in the audit log as if it had been saved. bulk_create sends no signals, so
auditlog writes nothing for it; here each entry is built the way auditlog's own create receiver
builds it (content type, object key and representation, field-by-field changes, serialized data,
additional data, actor, remote address and correlation id) and the entries go in in bulk too.
auditlog's pre_log and post_log signals are not sent (cmetrack connects no receiver to them).

Multi-table inheritance (a child model of one concrete parent): Django's bulk_create refuses
it, so the parent rows go in with bulk_create, which gives back their keys, and the child rows
with the insert that Model.save() itself uses for a child table, the private `QuerySet._insert`.

Both the private insert and the entry's shape depend on the pinned Django and django-auditlog;
audit/tests/test_bulk.py compares a bulk entry with the one auditlog writes on save(), so an
upgrade that changes either fails there first.
"""

from collections.abc import Callable, Sequence
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import (
    get_field_value,
    get_fields_in_model,
    is_primitive,
    model_instance_diff,
)
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.utils.encoding import smart_str

BATCH_SIZE = 500


def bulk_insert_with_audit(
    objects: Sequence[models.Model],
    *,
    by: AbstractBaseUser | None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Insert new, unsaved `objects` (all of one model) in batches, then write for each the
    CREATE entry auditlog would have written had it been saved, with `by` as the actor (None:
    the actor in auditlog's context, as save() would use). No model signals are sent. Call inside
    the caller's transaction."""
    if not objects:
        return
    model = type(objects[0])
    if any(type(obj) is not model for obj in objects):
        raise TypeError("bulk_insert_with_audit inserts rows of one model at a time.")
    if model._meta.proxy:
        raise TypeError(f"{model.__name__} is a proxy model: insert its concrete model.")
    db = router.db_for_write(model)
    parents = model._meta.parents
    if not parents:
        model._base_manager.using(db).bulk_create(objects, batch_size=batch_size)
    elif len(parents) == 1 and not next(iter(parents))._meta.parents:
        for start in range(0, len(objects), batch_size):
            _insert_with_parent(model, objects[start : start + batch_size], db)
    else:
        raise TypeError(f"{model.__name__} has more than one level of table inheritance.")
    if any(obj.pk is None for obj in objects):  # a database that returns no keys from a bulk insert
        raise RuntimeError(f"The database gave back no keys for the new {model.__name__} rows.")
    _audit_created(model, objects, by=by, batch_size=batch_size)


def _insert_with_parent(model: type[models.Model], chunk: Sequence[models.Model], db: str) -> None:
    ((parent_model, link),) = model._meta.parents.items()
    assert isinstance(link, models.OneToOneField)  # the parent link (None only for a proxy)
    parent_fields = parent_model._meta.concrete_fields
    parents = [
        parent_model(**{f.attname: getattr(obj, f.attname) for f in parent_fields}) for obj in chunk
    ]
    parent_model._base_manager.using(db).bulk_create(parents)
    for obj, parent in zip(chunk, parents, strict=True):
        # The parent's key and anything the insert filled in (auto_now_add, say) come back.
        for f in parent_fields:
            setattr(obj, f.attname, getattr(parent, f.attname))
        setattr(obj, link.attname, parent.pk)
        obj._state.adding = False
        obj._state.db = db
    model._base_manager.using(db)._insert(  # type: ignore[attr-defined]
        chunk, fields=model._meta.local_concrete_fields, using=db
    )


def _creation_diff(
    model: type[models.Model], sample: models.Model, use_json: bool
) -> Callable[[models.Model], dict[str, Any] | None]:
    """auditlog's `model_instance_diff(None, obj)`, for many objects of one model: the tracked
    fields and their "before" values (there is no before, so they are the same for every row)
    are worked out once instead of once a row. A model with include, exclude or mask settings
    takes auditlog's own function, row by row."""
    config = auditlog.get_model_fields(model)
    if config and any(
        config.get(key) for key in ("include_fields", "exclude_fields", "mask_fields")
    ):
        return lambda obj: model_instance_diff(None, obj, use_json_for_changes=use_json)
    fields = [(f, get_field_value(None, f, use_json)) for f in set(get_fields_in_model(sample))]

    def diff(obj: models.Model) -> dict[str, Any] | None:
        changes: dict[str, Any] = {}
        for field, old in fields:
            new = get_field_value(obj, field, use_json)
            if old == new:
                continue
            if use_json:
                changes[field.name] = (
                    old if is_primitive(old) else smart_str(old),
                    new if is_primitive(new) else smart_str(new),
                )
            else:
                changes[field.name] = (smart_str(old), smart_str(new))
        return changes or None

    return diff


def _audit_created(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    by: AbstractBaseUser | None,
    batch_size: int,
) -> None:
    # auditlog writes nothing for a model it does not track, or while it is switched off.
    if auditlog_disabled.get() or not auditlog.contains(model):
        return
    context: dict[str, Any] = auditlog_value.get(None) or {}
    actor = by if by is not None else context.get("actor")
    if not isinstance(actor, get_user_model()):
        actor = None
    # What set_actor's receiver copies from the context onto every entry (remote address, port).
    extra = {
        key: value() if callable(value) else value
        for key, value in context.items()
        if key != "actor" and hasattr(LogEntry, key)
    }
    content_type = ContentType.objects.get_for_model(model)
    use_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    cid = get_cid()
    creation_diff = _creation_diff(model, objects[0], use_json)
    entries = []
    for obj in objects:
        changes = creation_diff(obj)
        if not changes:
            continue
        pk = getattr(obj, obj._meta.pk.attname)
        fields: dict[str, Any] = {
            "content_type": content_type,
            "object_pk": pk,
            "object_repr": smart_str(obj),
            "serialized_data": LogEntry.objects._get_serialized_data_or_none(obj),
            "action": LogEntry.Action.CREATE,
            "changes": changes,
            "cid": cid,
            "actor": actor,
            "actor_email": getattr(actor, "email", None) if actor is not None else None,
            **extra,
        }
        if isinstance(pk, int):
            fields["object_id"] = pk
        get_additional_data = getattr(obj, "get_additional_data", None)
        if callable(get_additional_data):
            fields["additional_data"] = get_additional_data()
        entries.append(LogEntry(**fields))
    LogEntry.objects.bulk_create(entries, batch_size=batch_size)
