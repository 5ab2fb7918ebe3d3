from django.apps import AppConfig


class EheConfig(AppConfig):
    name = "cmetrack.ehe"
    verbose_name = "Elective home education"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cmetrack.matching.merge_registry import merge_participant_register

        from . import audit_registration  # noqa: F401
        from .merge import EHE_IN_A_MERGE
        from .reference_data import ensure_ehe_reasons

        post_migrate.connect(ensure_ehe_reasons, sender=self, dispatch_uid="ehe-reference")
        merge_participant_register(EHE_IN_A_MERGE)
