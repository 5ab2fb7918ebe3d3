"""The child, the names and numbers they are known by, where they live and who cares for them.

Shaped so that a Children Not in School register (DOMAIN.md §9) can sit beside the CME register:
child, family and address belong to the child, not to any one case.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Sex(models.TextChoices):
    # The DfE collection counts female, male and unknown.
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class SenStatus(models.TextChoices):
    NONE = "N", "No special educational needs"
    SEN_SUPPORT = "K", "SEN support"
    EHCP = "E", "Education, health and care plan"
    UNKNOWN = "", "Not known"


class Child(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    forenames = models.CharField("legal forename(s)", max_length=100)
    surname = models.CharField("legal surname", max_length=100, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    first_language = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(
        max_length=60, blank=True, help_text="For the statutory return and equality monitoring."
    )
    sen_status = models.CharField(
        "SEN status", max_length=1, choices=SenStatus.choices, blank=True, default=""
    )
    # Set when this record was merged into another: the tombstone redirects there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    # Set by the retention job: the record no longer says who the child is (privacy/retention.py).
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moved on by every change to the record made through the services
    # (services.child_version_bump), so a form opened on an older version can be refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "children"
        ordering = ["surname", "forenames"]
        indexes = [models.Index(fields=["surname", "forenames", "date_of_birth"])]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="child_version_positive")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()

    @property
    def current_address(self) -> "Address | None":
        return self.addresses.filter(date_to__isnull=True).order_by("-date_from").first()


class OtherName(models.Model):
    """Aliases, preferred names and spellings met on referrals: matching searches them too."""

    class Kind(models.TextChoices):
        PREFERRED = "preferred", "Preferred name"
        FORMER = "former", "Former name"
        ALIAS = "alias", "Also known as"
        SPELLING = "spelling", "Other spelling"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ALIAS)
    forenames = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.forenames} {self.surname}".strip()


class FormerUpn(models.Model):
    """A UPN the child no longer uses (often a temporary one); children match on these too."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="former_upns")
    upn = models.CharField("UPN", max_length=13, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "upn"], name="former_upn_once")]

    def __str__(self) -> str:
        return self.upn


class Address(models.Model):
    """One address in the child's history. A missing postcode is a state, never a fake code."""

    class State(models.TextChoices):
        KNOWN = "known", "Known address"
        NO_FIXED_ABODE = "nfa", "No fixed abode"
        ABROAD = "abroad", "Abroad"
        UNKNOWN = "unknown", "Whereabouts unknown"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    state = models.CharField(max_length=10, choices=State.choices, default=State.KNOWN)
    line_1 = models.CharField("address line 1", max_length=200, blank=True)
    line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(
        max_length=8, blank=True, db_index=True, help_text="Normalised, e.g. L20 7AE."
    )
    postcode_raw = models.CharField(max_length=20, blank=True, help_text="As it was given.")
    country = models.CharField(max_length=60, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["-date_from"]

    def __str__(self) -> str:
        if self.state != self.State.KNOWN:
            return self.get_state_display()
        return ", ".join(p for p in [self.line_1, self.line_2, self.town, self.postcode] if p)


class Contact(models.Model):
    """A parent or carer: who the child lives with and how to reach them."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, blank=True)
    has_parental_responsibility = models.BooleanField(default=True)
    lives_with_child = models.BooleanField("child lives with them", default=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, help_text="Leave blank if the same as the child's.")

    class Meta:
        ordering = ["-lives_with_child", "name"]

    def __str__(self) -> str:
        return self.name


class VulnerabilityFlagType(models.Model):
    """Reference data (DOMAIN.md §3). Effective dates keep old records readable after a change."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # A flag that sends the child to children's social care / MASH at once (DOMAIN.md §5).
    escalates = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "label"]

    def __str__(self) -> str:
        return self.label


class ChildFlag(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="flags")
    flag_type = models.ForeignKey(VulnerabilityFlagType, on_delete=models.PROTECT)
    note = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "flag_type"],
                condition=Q(removed_at__isnull=True),
                name="one_active_flag_of_each_type",
            )
        ]

    def __str__(self) -> str:
        return str(self.flag_type)
