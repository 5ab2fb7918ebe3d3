"""Term dates in the admin, for administrators to correct or add single dates by hand.

Whole years are better loaded with `cmetrack import-term-dates FILE.csv`, which checks the year
as a whole. The model's `clean` makes the same per-row checks here (dates inside the academic
year, terms named and not overlapping), and the selector sees every save on its next call.
"""

from django.contrib import admin

from .models import TermDate


@admin.register(TermDate)
class TermDateAdmin(admin.ModelAdmin):
    list_display = ["academic_year_label", "kind", "name", "start", "end", "school"]
    list_filter = ["academic_year", "kind"]
    date_hierarchy = "start"
    search_fields = ["name", "school__name", "school__urn"]
    # A select of every school in the register would be tens of thousands of options.
    autocomplete_fields = ["school"]
    list_select_related = ["school"]
    readonly_fields = ["updated_at"]

    @admin.display(description="Academic year", ordering="academic_year")
    def academic_year_label(self, obj: TermDate) -> str:
        return obj.academic_year_label
