from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cmetrack.cases"
    verbose_name = "CME cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit_registration  # noqa: F401
        from .reference_data import ensure_reference_data

        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="cme-reference")
