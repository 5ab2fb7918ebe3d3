from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cmetrack.accounts"
    verbose_name = "Accounts and organisations"
