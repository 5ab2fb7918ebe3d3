"""Reference data must exist after every migrate and every test-database flush.

The data migrations load the defaults once; this post_migrate hook re-creates any default that
is missing (a flushed test database, a table emptied by hand) and never changes an existing row,
so an administrator's edits stand. The lists live in the migrations themselves, one copy only.
"""

from importlib import import_module
from typing import Any

from django.apps import AppConfig


def ensure_reference_data(sender: AppConfig, **kwargs: Any) -> None:
    from cmetrack.cases.models import EnquiryCheckType, MissingReason
    from cmetrack.children.models import VulnerabilityFlagType

    using = kwargs.get("using", "default")
    reasons = [
        (code, label, order * 10)
        for order, (code, label) in enumerate(
            import_module("cmetrack.cases.migrations.0002_missing_reasons").REASONS, start=1
        )
    ]
    reasons += import_module("cmetrack.cases.migrations.0009_ground_reason_defaults").REASONS
    if MissingReason.objects.using(using).count() < len(reasons):
        for code, label, order in reasons:
            MissingReason.objects.using(using).get_or_create(
                code=code, defaults={"label": label, "display_order": order}
            )
    flags = import_module("cmetrack.children.migrations.0002_vulnerability_flag_types").FLAGS
    if VulnerabilityFlagType.objects.using(using).count() < len(flags):
        for order, (code, label, escalates) in enumerate(flags, start=1):
            VulnerabilityFlagType.objects.using(using).get_or_create(
                code=code,
                defaults={"label": label, "escalates": escalates, "display_order": order * 10},
            )
    checks = import_module("cmetrack.cases.migrations.0005_enquiry_check_types").CHECKS
    if EnquiryCheckType.objects.using(using).count() < len(checks):
        for order, (code, label, side) in enumerate(checks, start=1):
            EnquiryCheckType.objects.using(using).get_or_create(
                code=code, defaults={"label": label, "side": side, "display_order": order * 10}
            )
