from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cmetrack.cases"
    verbose_name = "CME cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cmetrack.matching.merge_registry import merge_participant_register

        from . import audit_registration  # noqa: F401
        from .merge import CASES_IN_A_MERGE
        from .reference_data import ensure_reference_data

        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="cme-reference")
        # Matching sits below cases: it learns how to merge a child's cases from here.
        merge_participant_register(CASES_IN_A_MERGE)
