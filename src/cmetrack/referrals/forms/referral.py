"""A CME referral on the web, from a school, a partner agency or the CME team. Its rules are
`cme_referral_check`, the same the service (and the API) applies."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.utils import timezone

from cmetrack.accounts.access import is_school_user
from cmetrack.accounts.models import User
from cmetrack.cases.form_fields import (
    effective,
    flags_field,
    last_school_field,
    primary_reason_field,
    secondary_reasons_field,
)
from cmetrack.cases.models import MissingReason, ReferralSource, RiskLevel
from cmetrack.children.models import VulnerabilityFlagType
from cmetrack.schools.models import School

from ..services.referral import ActionData, CmeReferralData, HomeVisitData, cme_referral_check
from .common import ChildFieldsForm, date_field, fieldset, helper

ACTION_ROWS = 3
VISIT_ROWS = 2


class CmeReferralForm(ChildFieldsForm):
    parent_names = forms.CharField(label="Parent(s) or carer(s)", required=False)
    parent_phone = forms.CharField(label="Their phone number", required=False)
    last_school = last_school_field()
    date_last_attended = date_field("Date last attended")
    primary_reason = primary_reason_field("Main reason for the referral")
    secondary_reasons = secondary_reasons_field()
    flags = flags_field()
    dsl_risk_view = forms.CharField(
        label="The designated safeguarding lead's view of risk",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    risk_level = forms.ChoiceField(
        label="Risk", choices=RiskLevel.choices, initial=RiskLevel.MEDIUM, widget=forms.RadioSelect
    )
    social_care_referred = forms.BooleanField(
        label="The child has been referred to children's social care", required=False
    )
    still_on_roll = forms.BooleanField(
        label="The child is still on a school's roll (at risk of missing education)",
        required=False,
    )
    social_care_outcome = forms.CharField(
        label="Outcome of that referral", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referral_source = forms.ChoiceField(
        label="Who is making the referral?", choices=ReferralSource.choices
    )
    referrer_name = forms.CharField(label="Your name", max_length=200, required=False)
    referrer_role = forms.CharField(label="Your role", required=False, max_length=200)
    referrer_phone = forms.CharField(label="Your phone number", required=False, max_length=40)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        reasons = effective(MissingReason.objects.all())
        self.fields["primary_reason"].queryset = reasons  # type: ignore[attr-defined]
        self.fields["secondary_reasons"].queryset = reasons  # type: ignore[attr-defined]
        self.fields["flags"].queryset = effective(  # type: ignore[attr-defined]
            VulnerabilityFlagType.objects.all()
        )
        self.fields["last_school"].queryset = School.objects.filter(  # type: ignore[attr-defined]
            is_open=True
        )
        if not self.is_bound and user.get_full_name():
            self.initial.setdefault("referrer_name", user.get_full_name())
        source_fields: tuple[str, ...] = ("referral_source",)
        if is_school_user(user):
            # A school's referral comes from the school, about its own (last) pupil.
            del self.fields["referral_source"]
            del self.fields["last_school"]
            source_fields = ()
        action_fields: list[str] = []
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}_date"] = date_field(f"Action {i}: date")
            self.fields[f"action_{i}_what"] = forms.CharField(
                label=f"Action {i}: what was done", required=False, max_length=300
            )
            self.fields[f"action_{i}_outcome"] = forms.CharField(
                label=f"Action {i}: outcome", required=False, max_length=300
            )
            action_fields += [f"action_{i}_date", f"action_{i}_what", f"action_{i}_outcome"]
        visit_fields: list[str] = []
        for i in range(1, VISIT_ROWS + 1):
            self.fields[f"visit_{i}_date"] = date_field(f"Home visit {i}: date")
            self.fields[f"visit_{i}_time"] = forms.TimeField(
                label=f"Home visit {i}: time", required=False, help_text="For example, 14:30"
            )
            self.fields[f"visit_{i}_address"] = forms.CharField(
                label=f"Home visit {i}: address", required=False, max_length=300
            )
            self.fields[f"visit_{i}_seen"] = forms.CharField(
                label=f"Home visit {i}: who was seen (blank if nobody)",
                required=False,
                max_length=300,
            )
            visit_fields += [
                f"visit_{i}_date",
                f"visit_{i}_time",
                f"visit_{i}_address",
                f"visit_{i}_seen",
            ]
        school_fields = [n for n in ("last_school",) if n in self.fields]
        self.helper = helper(
            "Send referral",
            fieldset("The child", *self.CHILD_FIELDS, *self.ADDRESS_FIELDS),
            fieldset("Family", "parent_names", "parent_phone"),
            Fieldset(
                *[Field(n) for n in (*school_fields, "date_last_attended", "primary_reason")],
                Field.checkbox("still_on_roll", small=True),
                Field.checkboxes("secondary_reasons", small=True, legend_size=Size.SMALL),
                Field.checkboxes("flags", small=True, legend_size=Size.SMALL),
                legend="Why you are referring",
                legend_size=Size.MEDIUM,
            ),
            fieldset("Actions taken before this referral", *action_fields),
            fieldset("Home visits", *visit_fields),
            Fieldset(
                Field("dsl_risk_view"),
                Field.radios("risk_level", inline=True, legend_size=Size.SMALL),
                Field.checkbox("social_care_referred", small=True),
                Field("social_care_outcome"),
                legend="Risk and safeguarding",
                legend_size=Size.MEDIUM,
            ),
            fieldset(
                "About you", *source_fields, "referrer_name", "referrer_role", "referrer_phone"
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, ACTION_ROWS + 1):
            when, what = data.get(f"action_{i}_date"), data.get(f"action_{i}_what")
            if (when or data.get(f"action_{i}_outcome")) and not what:
                self.add_error(f"action_{i}_what", f"Say what action {i} was")
            if what and not when:
                self.add_error(f"action_{i}_date", f"Enter the date of action {i}")
        for i in range(1, VISIT_ROWS + 1):
            when, where = data.get(f"visit_{i}_date"), data.get(f"visit_{i}_address")
            if (when or data.get(f"visit_{i}_seen")) and not where:
                self.add_error(f"visit_{i}_address", f"Enter the address of home visit {i}")
            if where and not when:
                self.add_error(f"visit_{i}_date", f"Enter the date of home visit {i}")
        self.apply_verdict(cme_referral_check(self.to_data(self.user), today=timezone.localdate()))
        return data

    def to_data(self, user: User) -> CmeReferralData:
        d = self.cleaned_data
        actions = [
            ActionData(
                done_on=d[f"action_{i}_date"],
                action=d[f"action_{i}_what"],
                outcome=d.get(f"action_{i}_outcome", ""),
            )
            for i in range(1, ACTION_ROWS + 1)
            if d.get(f"action_{i}_what") and d.get(f"action_{i}_date")
        ]
        visits = [
            HomeVisitData(
                visited_on=d[f"visit_{i}_date"],
                visited_at=d.get(f"visit_{i}_time"),
                address=d[f"visit_{i}_address"],
                who_was_seen=d.get(f"visit_{i}_seen", ""),
            )
            for i in range(1, VISIT_ROWS + 1)
            if d.get(f"visit_{i}_address") and d.get(f"visit_{i}_date")
        ]
        org = user.organisation
        return CmeReferralData(
            child=self.child(),
            referrer_name=d.get("referrer_name", ""),
            referrer_role=d.get("referrer_role", ""),
            referrer_phone=d.get("referrer_phone", ""),
            referral_source=d.get("referral_source") or ReferralSource.SCHOOL,
            primary_reason=d.get("primary_reason"),
            secondary_reasons=list(d.get("secondary_reasons") or []),
            flags=list(d.get("flags") or []),
            parent_names=d.get("parent_names", ""),
            parent_phone=d.get("parent_phone", ""),
            last_school=d.get("last_school") or (org.school if org else None),
            date_last_attended=d.get("date_last_attended"),
            dsl_risk_view=d.get("dsl_risk_view", ""),
            risk_level=d.get("risk_level", RiskLevel.MEDIUM),
            social_care_referred=bool(d.get("social_care_referred")),
            social_care_outcome=d.get("social_care_outcome", ""),
            still_on_roll=bool(d.get("still_on_roll")),
            actions=actions,
            home_visits=visits,
        )
