"""Reference data for cases. Cases themselves change only through the services (and timeline)."""

from django.contrib import admin

from .models import MissingReason


@admin.register(MissingReason)
class MissingReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "dfe_code", "valid_from", "valid_to", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["label", "code", "dfe_code"]
