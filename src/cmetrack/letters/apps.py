from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "cmetrack.letters"
    verbose_name = "Letters and forms"
