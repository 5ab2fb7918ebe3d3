"""The exchange in Django admin: to look up peers, what was sent to them and what came from
them, never to edit. A peer is added with `cmetrack exchange-peer add` (it needs the token
and secret, which admin never shows); it can be revoked here. Payloads (a child's details)
are not shown: the hand-over itself is the place to read them, with its access recorded."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cmetrack.accounts.models import User
from cmetrack.api.models import ApiToken
from cmetrack.api.tokens import api_token_revoke

from .models import DeliveryAttempt, InboundMessage, OutboxMessage, Peer
from .services.peers import peer_remove


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Peer)
class PeerAdmin(ReadOnly):
    list_display = ["la_code", "name", "base_url", "account", "active", "created_at"]
    list_filter = ["active"]
    exclude = ["token_encrypted", "signing_secret_encrypted"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected peers (and their tokens)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Peer]) -> None:
        assert isinstance(request.user, User)
        count = 0
        for peer in queryset:
            for token in ApiToken.objects.filter(user_id=peer.account_id, revoked_at__isnull=True):
                api_token_revoke(token=token, by=request.user)
            peer_remove(peer=peer, by=request.user)
            count += 1
        messages.success(request, f"{count} peer(s) revoked.")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "at", "delivered", "http_status", "error", "milliseconds")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    list_display = ["created_at", "peer", "kind", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "kind", "peer"]
    search_fields = ["public_id", "remote_reference"]
    exclude = ["payload"]
    inlines = [DeliveryAttemptInline]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnly):
    list_display = ["received_at", "peer", "kind", "remote_reference", "message_id"]
    list_filter = ["kind", "peer"]
    search_fields = ["message_id", "remote_reference"]
    exclude = ["answer"]
