from typing import Any

from django.apps import AppConfig


def ensure_code_lists(sender: AppConfig, **kwargs: Any) -> None:
    """The collection's code lists exist after every migrate and every test-database flush.
    The data migration is the one copy of the lists; its loader never changes an existing row,
    so an administrator's corrections stand."""
    from importlib import import_module

    from django.apps import apps

    from .models import CollectionTerm

    if not CollectionTerm.objects.using(kwargs.get("using", "default")).exists():
        import_module("cmetrack.reports.migrations.0002_load_collection_code_lists").load(
            apps, None
        )


class ReportsConfig(AppConfig):
    name = "cmetrack.reports"
    verbose_name = "Reports and the statutory return"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(ensure_code_lists, sender=self, dispatch_uid="collection-code-lists")
