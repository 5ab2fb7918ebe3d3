from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "cmetrack.children"
    verbose_name = "Children and families"

    def ready(self) -> None:
        from . import audit_registration  # noqa: F401
