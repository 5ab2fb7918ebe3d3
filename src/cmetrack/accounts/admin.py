from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "la_code", "school"]
    list_filter = ["kind"]
    search_fields = ["name", "la_code"]
    raw_id_fields = ["school"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        ("cmetrack", {"fields": ("role", "organisation")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("cmetrack", {"fields": ("role", "organisation", "first_name", "last_name", "email")}),
    )
