from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "cmetrack.children"
    verbose_name = "Children and families"

    def ready(self) -> None:
        from . import audit_registration, db  # noqa: F401

        # Names are matched and searched case-insensitively in every alphabet, SQLite included.
        db.connect()
