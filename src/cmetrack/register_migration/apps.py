from django.apps import AppConfig


class RegisterMigrationConfig(AppConfig):
    name = "cmetrack.register_migration"
    verbose_name = "Register migration"
