import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Organisation(models.Model):
    """Who a user works for: the authority's CME team, a school, an agency or another LA."""

    class Kind(models.TextChoices):
        LA_TEAM = "la_team", "Local authority CME team"
        SCHOOL = "school", "School"
        AGENCY = "agency", "Partner agency"
        OTHER_LA = "other_la", "Other local authority"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    la_code = models.CharField(
        "LA code", max_length=3, blank=True, help_text="Three-digit DfE LA number, e.g. 343."
    )
    school = models.OneToOneField(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="For a school organisation: the establishment its users act for.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.SCHOOL and self.school_id is None:
            raise ValidationError({"school": "A school organisation must name its school."})
        if self.kind != self.Kind.SCHOOL and self.school_id is not None:
            raise ValidationError({"school": "Only a school organisation can name a school."})


class User(AbstractUser):
    """A person who signs in. What they may do follows from their role (see access.py)."""

    class Role(models.TextChoices):
        CME_OFFICER = "cme_officer", "CME officer"
        CME_MANAGER = "cme_manager", "CME manager"
        ADMIN = "admin", "Administrator"
        SCHOOL_USER = "school_user", "School user"
        AGENCY_USER = "agency_user", "Agency user"
        OTHER_LA_USER = "other_la_user", "Other local authority user"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CME_OFFICER)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Which kind of organisation each role must belong to; admins may sit anywhere.
    ROLE_ORGANISATION = {
        Role.CME_OFFICER: Organisation.Kind.LA_TEAM,
        Role.CME_MANAGER: Organisation.Kind.LA_TEAM,
        Role.SCHOOL_USER: Organisation.Kind.SCHOOL,
        Role.AGENCY_USER: Organisation.Kind.AGENCY,
        Role.OTHER_LA_USER: Organisation.Kind.OTHER_LA,
    }

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django admin is the administrators' tool and theirs alone.
        self.is_staff = self.is_superuser or self.role == self.Role.ADMIN
        super().save(*args, **kwargs)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # Administrators manage users, organisations, schools and reference data in Django admin;
        # children's and cases' records are not registered there, so this opens nothing else.
        if self.is_active and self.role == self.Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.role == self.Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def clean(self) -> None:
        super().clean()
        expected = self.ROLE_ORGANISATION.get(self.Role(self.role))
        if expected is None:
            return
        if self.organisation is None or self.organisation.kind != expected:
            raise ValidationError(
                {
                    "organisation": f"A {self.get_role_display()} must belong to a "
                    f"{Organisation.Kind(expected).label.lower()}."
                }
            )
