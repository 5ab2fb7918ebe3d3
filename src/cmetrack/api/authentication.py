"""Bearer tokens for the API, and nothing else: no session cookie, so no cross-site request
can act through a signed-in browser, and every call names the token that made it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from cmetrack.accounts.models import User

from .models import ApiToken
from .signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_problem, signing_secret_for
from .token_lookup import token_with_account
from .tokens import PREFIX, token_hash

# last_used_at is written at most this often per token: a busy MIS must not turn every read
# into a write.
TOUCH_EVERY = timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: HttpRequest) -> tuple[User, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, plain = header.partition(" ")
        plain = plain.strip()
        if scheme != self.keyword or not plain.startswith(PREFIX) or len(plain) > 200:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer cmt_…")
        # One indexed query: the token with its account, organisation and school (what a
        # school return is filed under), so no call looks them up again.
        token = token_with_account(token_hash(plain))
        now = timezone.now()
        # One message for every refusal: a caller learns nothing about which tokens exist.
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_at <= now
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed(
                "This token is not valid (unknown, expired or revoked)."
            )
        # Another authority's cmetrack (an exchange peer) signs every call: a leaked token alone
        # cannot act for that authority, nor can a request be altered or replayed later.
        secret = signing_secret_for(token.user)
        if secret is not None:
            problem = signature_problem(
                secret,
                method=request.method or "",
                path=request.get_full_path(),
                timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
                given=request.headers.get(SIGNATURE_HEADER, ""),
                body=request.body,
            )
            if problem is not None:
                raise exceptions.AuthenticationFailed(problem)
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="cmetrack"'
