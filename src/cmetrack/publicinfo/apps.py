from django.apps import AppConfig


class PublicinfoConfig(AppConfig):
    name = "cmetrack.publicinfo"
    verbose_name = "Public information page"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
