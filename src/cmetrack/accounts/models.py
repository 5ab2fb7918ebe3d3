import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


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
        # Works the elective home education register (cmetrack.ehe), not CME cases.
        EHE_OFFICER = "ehe_officer", "EHE officer"

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
        Role.EHE_OFFICER: Organisation.Kind.LA_TEAM,
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


class EnrolmentInviteQuerySet(models.QuerySet["EnrolmentInvite"]):
    def live(self) -> "EnrolmentInviteQuerySet":
        """Links that still work: not used, not replaced, not expired, for an active account."""
        return self.filter(
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )


class EnrolmentInvite(models.Model):
    """A single-use, expiring link an administrator issues: its holder sets the account's
    password and enrols the second factor. Only a hash of the token is kept: the link is shown
    once, to the administrator who issued it, and a copy of this table opens no account."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_invites")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(editable=False)
    expires_at = models.DateTimeField()
    # Set when the holder chooses the password (the first step); the link stays good for the
    # second step until it expires.
    password_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A newer link for the same user replaces this one.
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The authenticator this link is enrolling: made at the second step, kept across reloads so
    # the QR code stays the same, confirmed (and every older device removed) on redemption.
    device = models.ForeignKey(
        "otp_totp.TOTPDevice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = EnrolmentInviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Set-up link for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"
