"""The two school returns on the web: deletion (removal from roll) and new pupil (admission).
Their rules are the shared checks in `referrals.checks`, the same the importers use."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from cmetrack.accounts.models import User
from cmetrack.core.grounds import ground_choices
from cmetrack.schools.models import School

from ..checks import deletion_check, new_pupil_check
from ..particulars import DeletionData, NewPupilData
from .common import ChildFieldsForm, SchoolChoiceMixin, date_field, fieldset, helper


class DeletionReturnForm(SchoolChoiceMixin, ChildFieldsForm):
    parent_names = forms.CharField(
        label="Parent(s) or carer(s) the pupil lives with", required=False
    )
    parent_address = forms.CharField(
        label="Their address, if different from the pupil's",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    emergency_phone = forms.CharField(label="Emergency contact phone number", required=False)
    ground = forms.ChoiceField(
        label="Ground for removal (regulation 9(1))",
        choices=ground_choices,
        required=False,
        widget=forms.RadioSelect,
    )
    parent_2_name = forms.CharField(
        label="Second parent or carer the pupil lives with, if any", required=False
    )
    parent_2_phone = forms.CharField(
        label="The second parent's emergency phone number", required=False
    )
    deletion_date = date_field("Date of removal from the register")
    absence_from = date_field(
        "Grounds (h) and (i): the last day of the authorised leave, or the last day attended",
        help_text="The local authority works out the earliest lawful removal from it",
    )
    lost_pupil = forms.BooleanField(
        label="The destination is unknown and a lost-pupil CTF was sent to the DfE's School to "
        "School service",
        required=False,
    )
    new_address = forms.CharField(
        label="New address, if known", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_address_from = date_field("Living at the new address from")
    new_school = forms.ModelChoiceField(
        label="New school",
        required=False,
        queryset=School.objects.none(),
        empty_label="Not known, or not in the list",
    )
    new_school_name = forms.CharField(
        label="New school's name and town, if not in the list", required=False
    )
    new_school_start = date_field("Start date at the new school")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_school"].queryset = School.objects.filter(  # type: ignore[attr-defined]
            is_open=True
        )
        self.school_fields = self._school_field(user)

    # The page's layout, built when a template renders the form: an API call never does.
    @cached_property
    def helper(self) -> FormHelper:
        return helper(
            "Send deletion return",
            fieldset("The pupil", *self.school_fields, *self.CHILD_FIELDS, *self.ADDRESS_FIELDS),
            fieldset(
                "Parents or carers",
                "parent_names",
                "parent_address",
                "emergency_phone",
                "parent_2_name",
                "parent_2_phone",
            ),
            Fieldset(
                Field.radios("ground", small=True, legend_size=Size.SMALL),
                Field("deletion_date"),
                Field("absence_from"),
                legend="Removal",
                legend_size=Size.MEDIUM,
            ),
            fieldset(
                "Where the pupil has gone",
                "new_address",
                "new_address_from",
                "new_school",
                "new_school_name",
                "new_school_start",
                "lost_pupil",
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.apply_verdict(deletion_check(self.to_data(None), today=timezone.localdate()))
        return data

    def to_data(self, school: School | None) -> DeletionData:
        d = self.cleaned_data
        return DeletionData(
            child=self.child(),
            school=d.get("school") or school,
            ground=d.get("ground", ""),
            deletion_date=d.get("deletion_date"),
            emergency_phone=d.get("emergency_phone", ""),
            parent_names=d.get("parent_names", ""),
            parent_address=d.get("parent_address", ""),
            parent_2_name=d.get("parent_2_name", ""),
            parent_2_phone=d.get("parent_2_phone", ""),
            new_address=d.get("new_address", ""),
            new_address_from=d.get("new_address_from"),
            new_school=d.get("new_school"),
            new_school_name=d.get("new_school_name", ""),
            new_school_start=d.get("new_school_start"),
            lost_pupil=bool(d.get("lost_pupil")),
            absence_from=d.get("absence_from"),
        )


class NewPupilReturnForm(SchoolChoiceMixin, ChildFieldsForm):
    start_date = date_field("Date the pupil started")
    parent_names = forms.CharField(label="Parent(s) or carer(s)", required=False)
    parent_phone = forms.CharField(label="Phone number", required=False)
    previous_school = forms.CharField(label="Previous school (name and town)", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_fields = self._school_field(user)

    @cached_property
    def helper(self) -> FormHelper:  # built when rendered, as DeletionReturnForm's
        return helper(
            "Send new-pupil return",
            fieldset("The pupil", *self.school_fields, *self.CHILD_FIELDS, *self.ADDRESS_FIELDS),
            fieldset("Admission", "start_date", "previous_school"),
            fieldset("Parents or carers", "parent_names", "parent_phone"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.apply_verdict(new_pupil_check(self.to_data(None), today=timezone.localdate()))
        return data

    def to_data(self, school: School | None) -> NewPupilData:
        d = self.cleaned_data
        return NewPupilData(
            child=self.child(),
            school=d.get("school") or school,
            start_date=d.get("start_date"),
            parent_names=d.get("parent_names", ""),
            parent_phone=d.get("parent_phone", ""),
            previous_school=d.get("previous_school", ""),
        )
