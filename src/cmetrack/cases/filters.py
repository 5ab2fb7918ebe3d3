"""Case list filters: status, officer, school, reason, flag, and one search box."""

from collections.abc import Iterator
from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.schools.models import School

from .forms import la_officers
from .models import Case, MissingReason
from .selectors import has_open_escalation, search_filter
from .status import Status


class _ListedChoices(ModelChoiceIterator):
    """A select's options read once per form: a ModelChoiceField lists its query afresh each
    time its choices are read, and a template's loop first counts them (COUNT, then SELECT,
    for every select on every page). A chosen value is still checked against the query."""

    def __iter__(self) -> Iterator[Any]:
        listed: list[Any] | None = getattr(self.field, "_listed_choices", None)
        if listed is None:
            listed = list(super().__iter__())
            self.field._listed_choices = listed
        return iter(listed)

    def __len__(self) -> int:
        return len(list(iter(self)))


class _ListedModelChoiceField(ModelChoiceField):
    iterator = _ListedChoices


class ModelSelectFilter(django_filters.ModelChoiceFilter):
    field_class = _ListedModelChoiceField


SELECT_FILTERS = ("assigned_to", "last_school", "primary_reason", "flag")


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name, UPN, date of birth or reference", method="filter_search"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    open_only = django_filters.BooleanFilter(label="Open cases only", method="filter_open")
    # Not a field on the page: the dashboard's escalations panel links here for all of them.
    escalated = django_filters.BooleanFilter(
        label="With an unresolved escalation", method="filter_escalated"
    )
    # Each option needs its key and label only: the whole rows (a school has ~20 columns, an
    # officer their password hash) were loaded for every option on every page.
    assigned_to = ModelSelectFilter(
        label="Officer",
        queryset=lambda request: la_officers().only("username", "first_name", "last_name"),
        empty_label="Any officer",
    )
    last_school = ModelSelectFilter(
        label="Last school",
        queryset=School.objects.only("name", "urn"),
        empty_label="Any school",
    )
    primary_reason = ModelSelectFilter(
        label="Main reason",
        queryset=MissingReason.objects.only("label"),
        empty_label="Any reason",
    )
    flag = ModelSelectFilter(
        label="Flag",
        queryset=VulnerabilityFlagType.objects.only("label"),
        method="filter_flag",
        empty_label="Any flag",
    )

    class Meta:
        model = Case
        fields = ["q", "status", "assigned_to", "last_school", "primary_reason", "flag"]

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(search_filter(value))

    def filter_open(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.exclude(status=Status.CLOSED) if value else queryset

    def filter_escalated(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(has_open_escalation()) if value else queryset

    def filter_flag(
        self, queryset: QuerySet[Case], name: str, value: VulnerabilityFlagType | None
    ) -> QuerySet[Case]:
        if value is None:
            return queryset
        return queryset.filter(
            child__flags__flag_type=value, child__flags__removed_at__isnull=True
        ).distinct()
