"""Reference data for the EHE register. Records themselves change only through the services."""

from django.contrib import admin

from .models import EheReason


@admin.register(EheReason)
class EheReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "dfe_code", "valid_from", "valid_to", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["label", "code", "dfe_code"]
