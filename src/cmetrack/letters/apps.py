from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "cmetrack.letters"
    verbose_name = "Letters and forms"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit_registration  # noqa: F401
        from .reference_data import ensure_shipped_templates

        post_migrate.connect(ensure_shipped_templates, sender=self, dispatch_uid="letter-defaults")
