"""Making, revoking and every use of a token is audited (uses as ACCESS entries: api/audit.py).
The hash is not copied into the log."""

from auditlog.registry import auditlog

from .models import ApiToken

auditlog.register(ApiToken, exclude_fields=["key_hash", "last_used_at"])
