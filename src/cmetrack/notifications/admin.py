"""The outbox in the admin: for looking up what was sent to whom and when, never for editing
(the worker owns every change of status, and a hand edit could send an email twice)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "reference", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "public_id"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "public_id",
        "kind",
        "reference",
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False
