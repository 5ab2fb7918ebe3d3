"""The schools register in the admin. Rows come from GIAS (`cmetrack import-schools`), and the
next import overwrites hand edits to the GIAS fields, so the admin is mainly for looking up."""

from django.contrib import admin
from django.db.models.functions import Concat

from .models import School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "laestab", "phase", "type_name", "is_open"]
    search_fields = ["urn", "name", "establishment_number"]
    list_filter = ["is_open", "phase", "la_code"]
    readonly_fields = ["public_id", "updated_at"]

    @admin.display(description="DfE number", ordering=Concat("la_code", "establishment_number"))
    def laestab(self, obj: School) -> str:
        return obj.laestab
