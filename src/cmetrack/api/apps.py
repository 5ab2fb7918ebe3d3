from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cmetrack.api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from . import audit_registration, schema  # noqa: F401
