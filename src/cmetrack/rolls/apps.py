from django.apps import AppConfig


class RollsConfig(AppConfig):
    name = "cmetrack.rolls"
    verbose_name = "School rolls"

    def ready(self) -> None:
        from cmetrack.matching.other_sources import source_register

        from . import audit_registration  # noqa: F401
        from .matching import on_roll_today

        # Intake's candidate panels ask the rolls too: is the child on a school's roll today?
        source_register(on_roll_today)
