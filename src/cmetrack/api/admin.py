"""Tokens in Django admin: to see and revoke, not to make (a token is shown once, by the
`cmetrack api-token issue` command, so admin never holds one to show)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cmetrack.accounts.models import User

from .models import ApiToken
from .tokens import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["prefix", "name", "user", "scopes", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "key_hash"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        assert isinstance(request.user, User)
        for token in queryset:
            api_token_revoke(token=token, by=request.user)
        messages.success(request, f"{queryset.count()} token(s) revoked.")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
