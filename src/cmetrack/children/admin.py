"""Administrators manage reference data here; children's records are worked in the service."""

from django.contrib import admin

from .models import VulnerabilityFlagType


@admin.register(VulnerabilityFlagType)
class VulnerabilityFlagTypeAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "escalates", "valid_from", "valid_to", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["label", "code"]
