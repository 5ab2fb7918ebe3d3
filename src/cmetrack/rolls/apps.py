from django.apps import AppConfig


class RollsConfig(AppConfig):
    name = "cmetrack.rolls"
    verbose_name = "School rolls"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
