"""Migrations in Django admin: read only. Every change goes through the services (the steps,
the commit, the undo); admin is for looking, as for the returns' import batches."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import MigratedRow, RegisterMigration


@admin.register(RegisterMigration)
class RegisterMigrationAdmin(admin.ModelAdmin[RegisterMigration]):
    list_display = ["original_name", "state", "uploaded_by", "created_at", "committed_at"]
    list_filter = ["state"]
    exclude = ["stored_rows", "file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MigratedRow)
class MigratedRowAdmin(admin.ModelAdmin[MigratedRow]):
    list_display = ["batch", "row", "legacy_reference", "child_created"]
    raw_id_fields = ["batch", "child", "case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
