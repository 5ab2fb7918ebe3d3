"""A call needs a token with the view's scope; what it may then do is the token user's role's,
checked by the same access rules and services as the web pages."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from .models import ApiToken


class HasScope(BasePermission):
    message = "This token does not have the scope this call needs."

    def has_permission(self, request: Any, view: Any) -> bool:
        token = getattr(request, "auth", None)
        scope = getattr(view, "required_scope", None)
        return isinstance(token, ApiToken) and scope in token.scopes
