"""Who changed the public page's words, and who published or removed which document."""

from auditlog.registry import auditlog

from .models import InformationPage, PublishedDocument

auditlog.register(InformationPage, exclude_fields=["updated_at"])
auditlog.register(PublishedDocument)
