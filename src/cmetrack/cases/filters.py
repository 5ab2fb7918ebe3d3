"""Case list filters: status, officer, school, reason, flag, and one search box."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.schools.models import School

from .forms import la_officers
from .models import Case, MissingReason
from .selectors import search_filter
from .status import Status


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name, UPN, date of birth or reference", method="filter_search"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    open_only = django_filters.BooleanFilter(label="Open cases only", method="filter_open")
    assigned_to = django_filters.ModelChoiceFilter(
        label="Officer", queryset=lambda request: la_officers(), empty_label="Any officer"
    )
    last_school = django_filters.ModelChoiceFilter(
        label="Last school", queryset=School.objects.all(), empty_label="Any school"
    )
    primary_reason = django_filters.ModelChoiceFilter(
        label="Main reason", queryset=MissingReason.objects.all(), empty_label="Any reason"
    )
    flag = django_filters.ModelChoiceFilter(
        label="Flag",
        queryset=VulnerabilityFlagType.objects.all(),
        method="filter_flag",
        empty_label="Any flag",
    )

    class Meta:
        model = Case
        fields = ["q", "status", "assigned_to", "last_school", "primary_reason", "flag"]

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(search_filter(value)).distinct()

    def filter_open(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.exclude(status=Status.CLOSED) if value else queryset

    def filter_flag(
        self, queryset: QuerySet[Case], name: str, value: VulnerabilityFlagType | None
    ) -> QuerySet[Case]:
        if value is None:
            return queryset
        return queryset.filter(
            child__flags__flag_type=value, child__flags__removed_at__isnull=True
        ).distinct()
