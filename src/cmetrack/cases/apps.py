from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cmetrack.cases"
    verbose_name = "CME cases"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
