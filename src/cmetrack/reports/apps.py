from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cmetrack.reports"
    verbose_name = "Reports and the statutory return"
