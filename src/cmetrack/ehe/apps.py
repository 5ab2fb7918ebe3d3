from typing import Any

from django.apps import AppConfig


class EheConfig(AppConfig):
    name = "cmetrack.ehe"
    verbose_name = "Elective home education"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cmetrack.cases.signals import case_closed
        from cmetrack.children.signals import flag_added
        from cmetrack.matching.merge_registry import merge_participant_register

        from . import audit_registration  # noqa: F401
        from .merge import EHE_IN_A_MERGE
        from .reference_data import ensure_ehe_reasons

        post_migrate.connect(ensure_ehe_reasons, sender=self, dispatch_uid="ehe-reference")
        flag_added.connect(_flag_added, dispatch_uid="ehe-flag-added")
        case_closed.connect(_case_closed, dispatch_uid="ehe-case-closed")
        merge_participant_register(EHE_IN_A_MERGE)


def _flag_added(sender: object, *, flag: Any, by: Any, **kwargs: Any) -> None:
    from .services import ehe_alert_for_flag_added

    ehe_alert_for_flag_added(flag=flag, by=by)


def _case_closed(sender: object, *, case: Any, by: Any, **kwargs: Any) -> None:
    from cmetrack.cases.services import CaseError

    from .services import EheError, ehe_record_for_closed_case

    try:
        ehe_record_for_closed_case(case=case, by=by)
    except EheError as error:
        # The closure stops with it: a child passed to the EHE team must be on its register.
        raise CaseError(
            f"The child could not be put on the home-education register: {error}"
        ) from error
