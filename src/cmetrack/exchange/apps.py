from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "cmetrack.exchange"
    verbose_name = "Authority-to-authority exchange"

    def ready(self) -> None:
        from cmetrack.api.signing import register_signing_secret
        from cmetrack.referrals.signals import (
            handover_changed,
            handover_sent,
            information_requested,
            submission_triaged,
        )

        from . import audit_registration  # noqa: F401
        from .receivers import (
            on_handover_changed,
            on_handover_sent,
            on_information_requested,
            on_submission_triaged,
        )
        from .services.peers import signing_secret_for_account

        # A peer's account must sign every call (api/authentication.py asks this).
        register_signing_secret(signing_secret_for_account)
        handover_sent.connect(on_handover_sent, dispatch_uid="exchange.handover_sent")
        handover_changed.connect(on_handover_changed, dispatch_uid="exchange.handover_changed")
        submission_triaged.connect(
            on_submission_triaged, dispatch_uid="exchange.submission_triaged"
        )
        information_requested.connect(
            on_information_requested, dispatch_uid="exchange.information_requested"
        )
