from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "cmetrack.matching"
    verbose_name = "Matching and merging children"
