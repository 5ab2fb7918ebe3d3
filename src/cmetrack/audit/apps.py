from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cmetrack.audit"
    verbose_name = "Audit"
