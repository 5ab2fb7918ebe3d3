"""Adding, changing and removing a peer is audited; the encrypted token and secret are not
copied into the log."""

from auditlog.registry import auditlog

from .models import Peer

auditlog.register(Peer, exclude_fields=["token_encrypted", "signing_secret_encrypted"])
