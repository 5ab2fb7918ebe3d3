from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "cmetrack.schools"
    verbose_name = "Schools register"
