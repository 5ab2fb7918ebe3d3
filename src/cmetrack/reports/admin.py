"""The collection's code lists and the reason mapping, corrected by an administrator."""

from django.contrib import admin

from .models import CollectionCode, CollectionTerm, ReasonMapping


class CollectionCodeInline(admin.TabularInline):
    model = CollectionCode
    extra = 0
    fields = [
        "code_list",
        "dfe_code",
        "label",
        "max_days",
        "is_unknown",
        "confirmed",
        "display_order",
    ]


class ReasonMappingInline(admin.TabularInline):
    """A mapping to another term's code is refused (ReasonMapping.clean)."""

    model = ReasonMapping
    extra = 0


@admin.register(CollectionTerm)
class CollectionTermAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "valid_from", "confirmed"]
    inlines = [CollectionCodeInline, ReasonMappingInline]


@admin.register(CollectionCode)
class CollectionCodeAdmin(admin.ModelAdmin):
    list_display = ["dfe_code", "label", "code_list", "term", "confirmed"]
    list_filter = ["term", "code_list", "confirmed"]
    search_fields = ["dfe_code", "label"]
