from django.apps import AppConfig


class CrossChecksConfig(AppConfig):
    name = "cmetrack.crosschecks"
    verbose_name = "Cross-checks"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
