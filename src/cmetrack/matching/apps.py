from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "cmetrack.matching"
    verbose_name = "Matching and merging children"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import signals
        from .models import NonMatch

        signals.connect()
        auditlog.register(NonMatch)
