"""Keep each child's blocking keys in step with the record (connected in apps.py).

Bulk writes (`QuerySet.update`, `bulk_create`) send no save signals: `children_create` sends
`children_bulk_created` instead; after any other, run `cmetrack rebuild-match-keys`.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete

from cmetrack.children.models import Address, Child, FormerUpn, OtherName
from cmetrack.children.signals import children_bulk_created

from .services import match_keys_refresh, match_keys_refresh_many

# Children being deleted right now: their rows' post_delete must not write keys for them.
_deleting: ContextVar[frozenset[int]] = ContextVar("matching_deleting", default=frozenset())


def _child_saved(sender: type[Child], instance: Child, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        match_keys_refresh(instance)


def _child_deleting(sender: type[Child], instance: Child, **kwargs: Any) -> None:
    _deleting.set(_deleting.get() | {instance.pk})


def _child_deleted(sender: type[Child], instance: Child, **kwargs: Any) -> None:
    _deleting.set(_deleting.get() - {instance.pk})


def _row_changed(sender: type[Any], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.child_id in _deleting.get():
        return
    child = Child.objects.filter(pk=instance.child_id).first()
    if child is not None:
        match_keys_refresh(child)


def _children_bulk_created(sender: type[Child], children: list[Child], **kwargs: Any) -> None:
    match_keys_refresh_many(children)


def connect() -> None:
    uid = "cmetrack-matching-keys"
    children_bulk_created.connect(_children_bulk_created, dispatch_uid=f"{uid}-bulk")
    post_save.connect(_child_saved, sender=Child, dispatch_uid=f"{uid}-child")
    pre_delete.connect(_child_deleting, sender=Child, dispatch_uid=f"{uid}-child-pre")
    post_delete.connect(_child_deleted, sender=Child, dispatch_uid=f"{uid}-child-post")
    for model in (OtherName, Address, FormerUpn):
        name = model.__name__
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-{name}-save")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-{name}-delete")
