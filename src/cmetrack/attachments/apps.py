from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "cmetrack.attachments"
    verbose_name = "Attachments"
