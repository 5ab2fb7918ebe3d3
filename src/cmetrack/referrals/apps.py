from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "cmetrack.referrals"
    verbose_name = "Intake: returns, referrals and notifications"

    def ready(self) -> None:
        from cmetrack.cases.daily_jobs import daily_job_register

        from . import audit_registration  # noqa: F401
        from .services.destinations import destinations_lapse_job
        from .services.escalation import arrival_escalations_notify_missing

        def notify() -> str:
            told = arrival_escalations_notify_missing()
            return (
                f"{told} escalated arrival(s) queued for the MASH address "
                "(they arrived while none was configured)."
            )

        daily_job_register("referrals.arrival_escalations", notify)
        # Destinations nobody confirmed in time open CME cases (and make their tasks).
        daily_job_register("referrals.destinations_lapse", destinations_lapse_job)
