from django.apps import AppConfig


class RegisterImportConfig(AppConfig):
    name = "cmetrack.register_import"
    verbose_name = "Register migration"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
