from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cmetrack.accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from . import (
            audit_registration,  # noqa: F401
            checks,  # noqa: F401  (registers the system checks)
            services,  # noqa: F401  (connects createsuperuser's pre_save signal)
        )
