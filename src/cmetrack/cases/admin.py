"""Reference data for cases. Cases themselves change only through the services (and timeline)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import EnquiryCheckType, MissingReason


@admin.register(MissingReason)
class MissingReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "dfe_code", "valid_from", "valid_to", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["label", "code", "dfe_code"]


@admin.register(EnquiryCheckType)
class EnquiryCheckTypeAdmin(admin.ModelAdmin):
    """The reasonable-enquiries checklist (docs/statutory-clock.md): end a check with a valid-to
    date rather than deleting it, so enquiries already recorded against it keep their meaning."""

    list_display = ["label", "code", "side", "valid_from", "valid_to", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["label", "code"]
    list_filter = ["side"]

    def has_delete_permission(
        self, request: HttpRequest, obj: EnquiryCheckType | None = None
    ) -> bool:
        return False
