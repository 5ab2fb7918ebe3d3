"""Forms for recording referrals and working cases, rendered with the GOV.UK Design System."""

from datetime import date
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.children.models import Address, Sex, VulnerabilityFlagType
from cmetrack.children.services import AddressData, ChildData, ContactData
from cmetrack.core.closure_rules import EVIDENCE_EXAMPLE
from cmetrack.core.upn import normalise_upn, validate_upn

from .form_fields import (
    CaseVersionMixin,
    GdsDateField,
    effective,
    flags_field,
    last_school_field,
    load_reference_choices,
    primary_reason_field,
    secondary_reasons_field,
)
from .models import Category, EnquiryCheckType, Outcome, ReferralSource, RiskLevel
from .services import ReferralData
from .status import Status, allowed_next


def la_officers() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, role__in=[User.Role.CME_OFFICER, User.Role.CME_MANAGER]
    )


def _past_date_field(
    label: str, required: bool = False, help_text: str = "", earliest: date = date(2000, 1, 1)
) -> GdsDateField:
    """A day, month and year no earlier than 2000 (as the intake checks' event dates): a child
    born or referred in year 1 is a typing slip, not a record. Not being in the future is each
    form's own check."""

    def not_too_early(value: date) -> None:
        if value < earliest:
            raise forms.ValidationError(
                f"{label} must be {earliest.day} {earliest:%B %Y} or later: check the year",
                code="too_early",
            )

    field = GdsDateField(label=label, required=required, help_text=help_text)
    field.require_all_fields = False
    field.validators.append(not_too_early)
    return field


def _not_future(value: date | None, what: str) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{what} must be today or in the past")


class ReferralForm(forms.Form):
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
    date_of_birth = _past_date_field(
        "Date of birth", help_text="For example, 27 3 2015. Leave blank if not known."
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN)
    upn = forms.CharField(
        label="Unique pupil number (UPN)",
        required=False,
        max_length=20,
        help_text="13 characters, for example H801200001001. Leave blank if not known.",
    )
    address_state = forms.ChoiceField(
        label="Where does the child live?",
        choices=Address.State.choices,
        initial=Address.State.KNOWN,
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=20)
    parent_name = forms.CharField(label="Parent or carer's name", required=False, max_length=200)
    parent_relationship = forms.CharField(
        label="Relationship to the child", required=False, max_length=60
    )
    parent_phone = forms.CharField(label="Phone number", required=False, max_length=40)

    referral_source = forms.ChoiceField(
        label="Who made the referral?",
        choices=ReferralSource.choices,
        error_messages={"required": "Choose who made the referral"},
    )
    referrer = forms.CharField(
        label="Referrer's name, role and organisation", required=False, max_length=200
    )
    referral_date = _past_date_field("Date of referral", required=True)
    category = forms.ChoiceField(
        label="Type of case", choices=Category.choices, initial=Category.CME
    )
    primary_reason = primary_reason_field("Main reason the child is missing education")
    secondary_reasons = secondary_reasons_field()
    last_school = last_school_field()
    date_last_attended = _past_date_field("Date last attended")
    risk_level = forms.ChoiceField(
        label="Risk", choices=RiskLevel.choices, initial=RiskLevel.MEDIUM, widget=forms.RadioSelect
    )
    flags = flags_field()
    note = forms.CharField(
        label="What is known so far (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        load_reference_choices(self)
        if not self.is_bound:
            self.initial.setdefault("referral_date", timezone.localdate())
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form>
        self.helper.layout = Layout(
            Fieldset(
                Field.text("forenames", field_width=20),
                Field.text("surname", field_width=20),
                Field("date_of_birth"),
                Field.select("sex"),
                Field.text("upn", field_width=10),
                legend="The child",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("address_state"),
                Field.text("address_line_1"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                legend="Address",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("parent_name", field_width=20),
                Field.text("parent_relationship", field_width=20),
                Field.text("parent_phone", field_width=20),
                legend="Parent or carer",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("referral_source"),
                Field.text("referrer"),
                Field("referral_date"),
                Field.select("category"),
                Field.select("primary_reason"),
                Field.checkboxes("secondary_reasons", small=True),
                Field.select("last_school"),
                Field("date_last_attended"),
                Field.radios("risk_level", inline=True, legend_size=Size.SMALL),
                Field.checkboxes("flags", small=True, legend_size=Size.SMALL),
                Field.textarea("note"),
                legend="The referral",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Record referral"),
        )

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
        _not_future(value, "Date of birth")
        return value

    def clean_referral_date(self) -> date | None:
        value: date | None = self.cleaned_data.get("referral_date")
        _not_future(value, "Date of referral")
        return value

    def clean_date_last_attended(self) -> date | None:
        value: date | None = self.cleaned_data.get("date_last_attended")
        _not_future(value, "Date last attended")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("address_state") == Address.State.KNOWN and not (
            data.get("address_line_1") or data.get("postcode")
        ):
            self.add_error(
                "address_line_1",
                "Enter the first line of the address or the postcode, or say where the child "
                "lives is not known",
            )
        dla, dob = data.get("date_last_attended"), data.get("date_of_birth")
        if dla and dob and dla < dob:
            self.add_error("date_last_attended", "Date last attended must be after date of birth")
        return data

    def to_referral(self) -> ReferralData:
        d = self.cleaned_data
        address = AddressData(
            state=d["address_state"],
            line_1=d["address_line_1"],
            town=d["town"],
            postcode=d["postcode"],
        )
        contacts = []
        if d["parent_name"].strip():
            contacts.append(
                ContactData(
                    name=d["parent_name"],
                    relationship=d["parent_relationship"],
                    phone=d["parent_phone"],
                )
            )
        child = ChildData(
            forenames=d["forenames"],
            surname=d["surname"],
            date_of_birth=d["date_of_birth"],
            sex=d["sex"],
            upn=d["upn"],
            address=address,
            contacts=contacts,
        )
        return ReferralData(
            child=child,
            primary_reason=d["primary_reason"],
            secondary_reasons=list(d["secondary_reasons"]),
            referral_source=d["referral_source"],
            referral_date=d["referral_date"],
            referrer=d["referrer"],
            last_school=d["last_school"],
            date_last_attended=d["date_last_attended"],
            risk_level=d["risk_level"],
            category=d["category"],
            flags=list(d["flags"]),
            note=d["note"],
        )


def _simple_helper(*fields: Any, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form>
    helper.render_hidden_fields = True  # the case version (CaseVersionMixin)
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class StatusForm(CaseVersionMixin):
    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    note = forms.CharField(
        label="Why (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Closing needs an outcome, so it has its own page.
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label)
            for s in Status
            if s in allowed_next(Status(current)) and s not in {Status.CLOSED, Status.UNTRACED}
        ]
        self.helper = _simple_helper(
            Field.radios("status", legend_size=Size.MEDIUM),
            Field.textarea("note"),
            submit="Change status",
        )


class AssignForm(CaseVersionMixin):
    officer = forms.ModelChoiceField(
        label="Officer",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody (unassigned)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = la_officers()  # type: ignore[attr-defined]
        self.helper = _simple_helper(Field.select("officer"), submit="Assign")


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the note"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _simple_helper(Field.textarea("text"), submit="Add note")


class CloseForm(CaseVersionMixin):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Over compulsory school age only once the child has passed it: after the last Friday "
            "in June of the school year in which they turn 16."
        ),
        error_messages={"required": "Choose the outcome"},
    )
    closed_on = _past_date_field("Date closed", required=True)
    note = forms.CharField(
        label="Closing note",
        required=False,
        help_text=(
            "For moved abroad (confirmed), say what confirms the move and when, for example "
            f"'{EVIDENCE_EXAMPLE}'. Optional for the other outcomes."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("closed_on", timezone.localdate())
        self.helper = _simple_helper(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field("closed_on"),
            Field.textarea("note"),
            submit="Close case",
        )

    def clean_closed_on(self) -> date | None:
        value: date | None = self.cleaned_data.get("closed_on")
        _not_future(value, "Date closed")
        return value


class CategoryForm(CaseVersionMixin):
    category = forms.ChoiceField(
        label="Type of case",
        choices=Category.choices,
        widget=forms.RadioSelect,
        help_text="Only children missing education count in the termly return.",
        error_messages={"required": "Choose the type of case"},
    )
    reason_text = forms.CharField(
        label="Why is the type of case changing?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: the school has now removed the child from roll.",
        error_messages={"required": "Enter why the type of case is changing"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _simple_helper(
            Field.radios("category", legend_size=Size.MEDIUM),
            Field.textarea("reason_text"),
            submit="Change type of case",
        )


class PrimaryReasonForm(CaseVersionMixin):
    primary_reason = primary_reason_field("Main reason the child is missing education")
    note = forms.CharField(
        label="Why (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        load_reference_choices(self)
        self.helper = _simple_helper(
            Field.select("primary_reason"), Field.textarea("note"), submit="Change main reason"
        )


class NotApplicableForm(forms.Form):
    """Mark one of the checks not yet recorded on a case as not applicable, with the reason."""

    check_type = forms.ModelChoiceField(
        label="Enquiry",
        queryset=EnquiryCheckType.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the enquiry that does not apply"},
    )
    reason = forms.CharField(
        label="Why does this enquiry not apply to the child?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: no suggestion of a move abroad, so no Home Office check.",
        error_messages={"required": "Enter why the enquiry does not apply"},
    )

    def __init__(self, *args: Any, missing: list[EnquiryCheckType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["check_type"].queryset = EnquiryCheckType.objects.filter(  # type: ignore[attr-defined]
            pk__in=[check.pk for check in missing]
        )
        self.helper = _simple_helper(
            Field.radios("check_type", small=True, legend_size=Size.MEDIUM),
            Field.textarea("reason"),
            submit="Mark not applicable",
        )


class ReopenForm(CaseVersionMixin):
    reason = forms.CharField(
        label="Why is the case being reopened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the case is being reopened"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _simple_helper(Field.textarea("reason"), submit="Reopen case")


class FlagForm(CaseVersionMixin):
    flag_type = forms.ModelChoiceField(
        label="Flag",
        queryset=VulnerabilityFlagType.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a flag"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["flag_type"].queryset = effective(  # type: ignore[attr-defined]
            VulnerabilityFlagType.objects.all()
        )
        self.helper = _simple_helper(
            Field.radios("flag_type", small=True, legend_size=Size.MEDIUM),
            Field.text("note"),
            submit="Add flag",
        )


class FlagRemoveForm(CaseVersionMixin):
    """Removing a flag is a button on the case page; this form only carries the version, and
    is shown as a page of its own when the case changed since that page was opened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _simple_helper(submit="Remove flag")


class RiskForm(CaseVersionMixin):
    risk_level = forms.ChoiceField(
        label="Risk", choices=RiskLevel.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _simple_helper(
            Field.radios("risk_level", legend_size=Size.MEDIUM), submit="Change risk"
        )


class TaskForm(forms.Form):
    title = forms.CharField(
        label="What needs doing",
        max_length=200,
        error_messages={"required": "Enter what needs doing"},
    )
    due_on = forms.DateField(
        label="Due date",
        help_text="For example, 27/3/2027",
        error_messages={
            "required": "Enter the due date",
            "invalid": "Enter the due date as day/month/year",
        },
    )
    assigned_to = forms.ModelChoiceField(
        label="Officer",
        queryset=User.objects.none(),
        required=False,
        empty_label="The case's officer",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = la_officers()  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns the <form>
        self.helper.layout = Layout(
            Field.text("title"),
            Field.text("due_on", field_width=10),
            Field.select("assigned_to"),
            Submit("submit", "Add task"),
        )

    def clean_due_on(self) -> date:
        value: date = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("The due date must be today or later")
        return value
