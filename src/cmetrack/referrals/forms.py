"""Intake forms, rendered with the GOV.UK Design System. Each turns its answers into the data
object its service takes; the service has the last word on validity."""

from __future__ import annotations

from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff, is_school_user
from cmetrack.accounts.models import User
from cmetrack.cases.form_fields import (
    effective,
    flags_field,
    last_school_field,
    primary_reason_field,
    secondary_reasons_field,
)
from cmetrack.cases.models import MissingReason, ReferralSource, RiskLevel
from cmetrack.children.models import Sex, VulnerabilityFlagType
from cmetrack.core.upn import normalise_upn, validate_upn
from cmetrack.schools.models import School

from .grounds import GROUND_CHOICES
from .models import HandoverState, Nature, SharedStatus
from .services import (
    ActionData,
    ChildParticulars,
    CmeReferralData,
    DeletionData,
    HomeVisitData,
    NewPupilData,
    OtherLaData,
    PublicConcernData,
)

ACTION_ROWS = 3
VISIT_ROWS = 2


def _date(label: str, required: bool = False, help_text: str = "") -> DateInputField:
    field = DateInputField(label=label, required=required, help_text=help_text)
    field.require_all_fields = False
    return field


def _helper(submit: str, *parts: Any) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form>, with novalidate
    helper.layout = Layout(*parts, Submit("submit", submit))
    return helper


def _fieldset(legend: str, *names: str) -> Fieldset:
    return Fieldset(*[Field(n) for n in names], legend=legend, legend_size=Size.MEDIUM)


class ChildFieldsForm(forms.Form):
    forenames = forms.CharField(
        label="Legal first name(s)",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    surname = forms.CharField(
        label="Legal surname",
        max_length=100,
        error_messages={"required": "Enter the child's surname"},
    )
    date_of_birth = _date("Date of birth", help_text="For example, 27 3 2015")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN)
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        required=False,
        max_length=20,
        help_text="13 characters, for example H801200001001",
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=20)

    CHILD_FIELDS = ("forenames", "surname", "date_of_birth", "sex", "upn")
    ADDRESS_FIELDS = ("address_line_1", "town", "postcode")

    def clean_upn(self) -> str:
        raw: str = self.cleaned_data["upn"]
        if not raw.strip():
            return ""
        errors = validate_upn(raw)
        if errors:
            raise forms.ValidationError([e.message for e in errors])
        return normalise_upn(raw)

    def clean_date_of_birth(self) -> date | None:
        value: date | None = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError("Date of birth must be today or in the past")
        return value

    def child(self) -> ChildParticulars:
        d = self.cleaned_data
        return ChildParticulars(
            forenames=d["forenames"],
            surname=d["surname"],
            date_of_birth=d.get("date_of_birth"),
            sex=d["sex"],
            upn=d["upn"],
            address_line_1=d["address_line_1"],
            town=d["town"],
            postcode=d["postcode"],
        )


class _SchoolChoiceMixin:
    """The CME team records returns on a school's behalf and so chooses the school."""

    fields: dict[str, forms.Field]

    def _school_field(self, user: User) -> list[str]:
        if is_la_staff(user):
            self.fields["school"] = forms.ModelChoiceField(
                label="School",
                queryset=School.objects.filter(is_open=True),
                empty_label="Choose the school",
                error_messages={"required": "Choose the school sending the return"},
            )
            return ["school"]
        return []


class DeletionReturnForm(_SchoolChoiceMixin, ChildFieldsForm):
    parent_names = forms.CharField(
        label="Parent(s) or carer(s) the pupil lives with",
        max_length=300,
        error_messages={"required": "Enter the parent(s) the pupil lives with"},
    )
    parent_address = forms.CharField(
        label="Their address, if different from the pupil's",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    emergency_phone = forms.CharField(
        label="Emergency contact phone number",
        max_length=40,
        error_messages={"required": "Enter at least one emergency phone number"},
    )
    ground = forms.ChoiceField(
        label="Ground for removal (regulation 9(1))",
        choices=GROUND_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the ground for removal"},
    )
    deletion_date = _date("Date of removal from the register", required=True)
    new_address = forms.CharField(
        label="New address, if known", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_address_from = _date("Living at the new address from")
    new_school = forms.ModelChoiceField(
        label="New school",
        required=False,
        queryset=School.objects.none(),
        empty_label="Not known, or not in the list",
    )
    new_school_name = forms.CharField(
        label="New school's name and town, if not in the list", required=False, max_length=200
    )
    new_school_start = _date("Start date at the new school")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].required = True
        self.fields["date_of_birth"].error_messages["required"] = "Enter the date of birth"
        self.fields["new_school"].queryset = School.objects.filter(  # type: ignore[attr-defined]
            is_open=True
        )
        school = self._school_field(user)
        self.helper = _helper(
            "Send deletion return",
            _fieldset("The pupil", *school, *self.CHILD_FIELDS, *self.ADDRESS_FIELDS),
            _fieldset("Parents or carers", "parent_names", "parent_address", "emergency_phone"),
            Fieldset(
                Field.radios("ground", small=True, legend_size=Size.SMALL),
                Field("deletion_date"),
                legend="Removal",
                legend_size=Size.MEDIUM,
            ),
            _fieldset(
                "Where the pupil has gone",
                "new_address",
                "new_address_from",
                "new_school",
                "new_school_name",
                "new_school_start",
            ),
        )

    def to_data(self, school: School) -> DeletionData:
        d = self.cleaned_data
        return DeletionData(
            child=self.child(),
            school=d.get("school") or school,
            ground=d["ground"],
            deletion_date=d["deletion_date"],
            emergency_phone=d["emergency_phone"],
            parent_names=d["parent_names"],
            parent_address=d["parent_address"],
            new_address=d["new_address"],
            new_address_from=d.get("new_address_from"),
            new_school=d.get("new_school"),
            new_school_name=d["new_school_name"],
            new_school_start=d.get("new_school_start"),
        )


class NewPupilReturnForm(_SchoolChoiceMixin, ChildFieldsForm):
    start_date = _date("Date the pupil started", required=True)
    parent_names = forms.CharField(label="Parent(s) or carer(s)", required=False, max_length=300)
    parent_phone = forms.CharField(label="Phone number", required=False, max_length=40)
    previous_school = forms.CharField(
        label="Previous school (name and town)", required=False, max_length=200
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].required = True
        self.fields["date_of_birth"].error_messages["required"] = "Enter the date of birth"
        school = self._school_field(user)
        self.helper = _helper(
            "Send new-pupil return",
            _fieldset("The pupil", *school, *self.CHILD_FIELDS, *self.ADDRESS_FIELDS),
            _fieldset("Admission", "start_date", "previous_school"),
            _fieldset("Parents or carers", "parent_names", "parent_phone"),
        )

    def to_data(self, school: School) -> NewPupilData:
        d = self.cleaned_data
        return NewPupilData(
            child=self.child(),
            school=d.get("school") or school,
            start_date=d["start_date"],
            parent_names=d["parent_names"],
            parent_phone=d["parent_phone"],
            previous_school=d["previous_school"],
        )


class CmeReferralForm(ChildFieldsForm):
    parent_names = forms.CharField(label="Parent(s) or carer(s)", required=False, max_length=300)
    parent_phone = forms.CharField(label="Their phone number", required=False, max_length=40)
    last_school = last_school_field()
    date_last_attended = _date("Date last attended")
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
    social_care_outcome = forms.CharField(
        label="Outcome of that referral", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referral_source = forms.ChoiceField(
        label="Who is making the referral?", choices=ReferralSource.choices
    )
    referrer_name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    referrer_role = forms.CharField(label="Your role", required=False, max_length=200)
    referrer_phone = forms.CharField(label="Your phone number", required=False, max_length=40)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
            self.fields[f"action_{i}_date"] = _date(f"Action {i}: date")
            self.fields[f"action_{i}_what"] = forms.CharField(
                label=f"Action {i}: what was done", required=False, max_length=300
            )
            self.fields[f"action_{i}_outcome"] = forms.CharField(
                label=f"Action {i}: outcome", required=False, max_length=300
            )
            action_fields += [f"action_{i}_date", f"action_{i}_what", f"action_{i}_outcome"]
        visit_fields: list[str] = []
        for i in range(1, VISIT_ROWS + 1):
            self.fields[f"visit_{i}_date"] = _date(f"Home visit {i}: date")
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
        self.helper = _helper(
            "Send referral",
            _fieldset("The child", *self.CHILD_FIELDS, *self.ADDRESS_FIELDS),
            _fieldset("Family", "parent_names", "parent_phone"),
            Fieldset(
                *[Field(n) for n in (*school_fields, "date_last_attended", "primary_reason")],
                Field.checkboxes("secondary_reasons", small=True, legend_size=Size.SMALL),
                Field.checkboxes("flags", small=True, legend_size=Size.SMALL),
                legend="Why you are referring",
                legend_size=Size.MEDIUM,
            ),
            _fieldset("Actions taken before this referral", *action_fields),
            _fieldset("Home visits", *visit_fields),
            Fieldset(
                Field("dsl_risk_view"),
                Field.radios("risk_level", inline=True, legend_size=Size.SMALL),
                Field.checkbox("social_care_referred", small=True),
                Field("social_care_outcome"),
                legend="Risk and safeguarding",
                legend_size=Size.MEDIUM,
            ),
            _fieldset(
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
        return data

    def to_data(self, user: User) -> CmeReferralData:
        d = self.cleaned_data
        actions = [
            ActionData(
                done_on=d[f"action_{i}_date"],
                action=d[f"action_{i}_what"],
                outcome=d[f"action_{i}_outcome"],
            )
            for i in range(1, ACTION_ROWS + 1)
            if d.get(f"action_{i}_what")
        ]
        visits = [
            HomeVisitData(
                visited_on=d[f"visit_{i}_date"],
                visited_at=d.get(f"visit_{i}_time"),
                address=d[f"visit_{i}_address"],
                who_was_seen=d[f"visit_{i}_seen"],
            )
            for i in range(1, VISIT_ROWS + 1)
            if d.get(f"visit_{i}_address")
        ]
        org = user.organisation
        return CmeReferralData(
            child=self.child(),
            referrer_name=d["referrer_name"],
            referrer_role=d["referrer_role"],
            referrer_phone=d["referrer_phone"],
            referral_source=d.get("referral_source") or ReferralSource.SCHOOL,
            primary_reason=d["primary_reason"],
            secondary_reasons=list(d["secondary_reasons"]),
            flags=list(d["flags"]),
            parent_names=d["parent_names"],
            parent_phone=d["parent_phone"],
            last_school=d.get("last_school") or (org.school if org else None),
            date_last_attended=d.get("date_last_attended"),
            dsl_risk_view=d["dsl_risk_view"],
            risk_level=d["risk_level"],
            social_care_referred=d["social_care_referred"],
            social_care_outcome=d["social_care_outcome"],
            actions=actions,
            home_visits=visits,
        )


class OtherLaNotificationForm(ChildFieldsForm):
    nature = forms.ChoiceField(
        label="What is this about?",
        choices=[
            (Nature.MOVED_IN.value, Nature.MOVED_IN.label),
            (Nature.ENQUIRY.value, Nature.ENQUIRY.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the notification is about"},
    )
    other_la_name = forms.CharField(label="Authority sending it", required=False, max_length=200)
    other_la_code = forms.CharField(label="Its LA number", required=False, max_length=3)
    previous_address = forms.CharField(
        label="Previous address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    concerns = forms.CharField(
        label="Concerns and what is known", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    officer_name = forms.CharField(label="CME officer's name", required=False, max_length=200)
    officer_phone = forms.CharField(label="Phone", required=False, max_length=40)
    officer_email = forms.EmailField(label="Email", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        la_fields: tuple[str, ...] = ("other_la_name", "other_la_code")
        if not is_la_staff(user):
            del self.fields["other_la_name"]
            del self.fields["other_la_code"]
            la_fields = ()
        self.helper = _helper(
            "Send notification",
            Fieldset(
                Field.radios("nature", legend_size=Size.SMALL),
                legend="The notification",
                legend_size=Size.MEDIUM,
            ),
            _fieldset("The child", *self.CHILD_FIELDS, *self.ADDRESS_FIELDS, "previous_address"),
            _fieldset("What you know", "concerns"),
            _fieldset("Contact", *la_fields, "officer_name", "officer_phone", "officer_email"),
        )

    def to_data(self) -> OtherLaData:
        d = self.cleaned_data
        return OtherLaData(
            child=self.child(),
            nature=d["nature"],
            other_la_name=d.get("other_la_name", ""),
            other_la_code=d.get("other_la_code", ""),
            officer_name=d["officer_name"],
            officer_phone=d["officer_phone"],
            officer_email=d["officer_email"],
            previous_address=d["previous_address"],
            concerns=d["concerns"],
        )


class PublicConcernForm(forms.Form):
    about_child = forms.CharField(
        label="What do you know about the child?",
        help_text="For example, their name, roughly how old they are, who they live with.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Tell us what you know about the child"},
    )
    where = forms.CharField(
        label="Where is the child, or where might they be?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Tell us where the child is, or might be"},
    )
    why_worried = forms.CharField(
        label="Why are you worried?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Tell us why you are worried"},
    )
    contact_name = forms.CharField(label="Your name (optional)", required=False, max_length=200)
    contact_phone = forms.CharField(
        label="Your phone number (optional)", required=False, max_length=40
    )
    contact_email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        help_text="We will email you the reference number, and nothing else.",
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    # The honeypot: hidden from people by CSS and aria-hidden; bots fill it in.
    website = forms.CharField(required=False, label="Leave this blank")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("about_child"),
            Field("where"),
            Field("why_worried"),
            Fieldset(
                Field("contact_name"),
                Field("contact_phone"),
                Field("contact_email"),
                legend="Your details (optional)",
                legend_size=Size.MEDIUM,
            ),
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def to_data(self) -> PublicConcernData:
        d = self.cleaned_data
        return PublicConcernData(
            about_child=d["about_child"],
            where=d["where"],
            why_worried=d["why_worried"],
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
            contact_email=d["contact_email"],
        )


# --- triage --------------------------------------------------------------------------------


class OpenCaseForm(forms.Form):
    forenames = forms.CharField(label="Child's legal first name(s)", max_length=100)
    surname = forms.CharField(label="Child's legal surname", max_length=100)
    date_of_birth = _date("Date of birth")
    primary_reason = forms.ModelChoiceField(
        label="Main reason", queryset=MissingReason.objects.none(), empty_label="Choose a reason"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_reason"].queryset = effective(  # type: ignore[attr-defined]
            MissingReason.objects.all()
        )
        self.helper = _helper(
            "Open a CME case",
            Field.text("forenames", field_width=20),
            Field.text("surname", field_width=20),
            Field("date_of_birth"),
            Field.select("primary_reason"),
        )


class LinkCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=16,
        help_text="For example, CME-7K3P-Q9XW",
        error_messages={"required": "Enter the case reference"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Link to this case", Field.text("reference", field_width=10))


class NoActionForm(forms.Form):
    reason = forms.CharField(
        label="Why is no action needed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why no action is needed"},
    )
    shared_status = forms.ChoiceField(
        label="What the sender is told",
        choices=[
            (s.value, s.label)
            for s in (
                SharedStatus.CLOSED_NO_ACTION,
                SharedStatus.RECORDED,
                SharedStatus.CLOSED_ON_ROLL_ELSEWHERE,
            )
        ],
        widget=forms.RadioSelect,
        initial=SharedStatus.CLOSED_NO_ACTION,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "Record no action",
            Field("reason"),
            Field.radios("shared_status", small=True, legend_size=Size.SMALL),
        )


class ConfirmEnquiriesForm(forms.Form):
    note = forms.CharField(
        label="Which joint enquiries were made, and with what result?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say which enquiries the LA made and their outcome"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("Confirm enquiries are exhausted", Field("note"))


class HandoverForm(forms.Form):
    other_la_name = forms.CharField(
        label="Receiving authority",
        max_length=200,
        error_messages={"required": "Enter the receiving authority"},
    )
    other_la_code = forms.CharField(label="Its LA number", required=False, max_length=3)
    new_address = forms.CharField(label="New address, if known", required=False, max_length=200)
    concerns = forms.CharField(
        label="Concerns to pass on", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "Send hand-over",
            Field.text("other_la_name", field_width=20),
            Field.text("other_la_code", field_width=4),
            Field.text("new_address"),
            Field("concerns"),
        )


class HandoverUpdateForm(forms.Form):
    to = forms.ChoiceField(
        label="What happened?",
        choices=[
            (s.value, s.label)
            for s in (
                HandoverState.ACKNOWLEDGED,
                HandoverState.ACCEPTED,
                HandoverState.DECLINED,
                HandoverState.WITHDRAWN,
            )
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened"},
    )
    reason = forms.CharField(
        label="Reason (needed when declined)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "Record", Field.radios("to", legend_size=Size.MEDIUM), Field("reason")
        )


class HandoverReplyForm(forms.Form):
    """The receiving authority's answer to a hand-over addressed to it."""

    to = forms.ChoiceField(
        label="Your answer",
        choices=[
            (HandoverState.ACKNOWLEDGED.value, "Acknowledge: we have it and are looking into it"),
            (HandoverState.ACCEPTED.value, "Accept: we take the child on"),
            (HandoverState.DECLINED.value, "Decline: say why below"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your answer"},
    )
    reason = forms.CharField(
        label="Reason (needed when you decline)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, allowed: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["to"]
            field.choices = [c for c in field.choices if c[0] in allowed]  # type: ignore[attr-defined]
        self.helper = _helper(
            "Send answer", Field.radios("to", legend_size=Size.MEDIUM), Field("reason")
        )
