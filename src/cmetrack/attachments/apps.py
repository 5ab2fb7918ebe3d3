from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "cmetrack.attachments"
    verbose_name = "Attachments"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
