"""Which accounts models auditlog records. Users' changes are security events instead
(`services.security_event_record`), which name what changed without a password hash."""

from auditlog.registry import auditlog

from .models import Organisation

auditlog.register(Organisation)
