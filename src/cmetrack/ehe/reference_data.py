"""The EHE reasons must exist after every migrate and every test-database flush: the data
migration loads them once; this hook re-creates a missing one and never changes an existing row,
so an administrator's edits stand (the same rule as cases/reference_data.py)."""

from importlib import import_module
from typing import Any

from django.apps import AppConfig


def ensure_ehe_reasons(sender: AppConfig, **kwargs: Any) -> None:
    from .models import EheReason

    using = kwargs.get("using", "default")
    reasons = import_module("cmetrack.ehe.migrations.0002_ehe_reasons").REASONS
    if EheReason.objects.using(using).count() < len(reasons):
        for order, (code, label) in enumerate(reasons, start=1):
            EheReason.objects.using(using).get_or_create(
                code=code, defaults={"label": label, "display_order": order * 10}
            )
