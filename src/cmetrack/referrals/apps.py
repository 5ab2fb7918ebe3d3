from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "cmetrack.referrals"
    verbose_name = "Intake: returns, referrals and notifications"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
