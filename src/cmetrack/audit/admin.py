"""Refused attempts, for administrators: read-only, as any forensic record."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import RefusedAttempt


@admin.register(RefusedAttempt)
class RefusedAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "route", "keyword", "object_id", "status_code", "remote_addr"]
    list_filter = ["status_code", "route"]
    search_fields = ["object_id", "route", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
