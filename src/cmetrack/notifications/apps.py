from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Outbound email through a recorded outbox, sent and retried by the background worker."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "cmetrack.notifications"
    verbose_name = "Outbound email"
