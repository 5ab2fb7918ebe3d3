from django.apps import AppConfig


class SchooldaysConfig(AppConfig):
    name = "cmetrack.schooldays"
    verbose_name = "Term dates and school days"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
