from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the service: the scheduled jobs, the worker's heartbeat, health and status."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cmetrack.operations"
    verbose_name = "Operations"
