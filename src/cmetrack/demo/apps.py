from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cmetrack.demo"
    verbose_name = "Demo data"
