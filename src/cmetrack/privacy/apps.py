from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Retention (anonymisation) and subject access: features that read across many apps, so
    they sit above them, apart from the low-level audit machinery everything uses."""

    name = "cmetrack.privacy"
    verbose_name = "Privacy: retention and subject access"
