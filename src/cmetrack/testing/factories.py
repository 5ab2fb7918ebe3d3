"""factory_boy factories for tests. Synthetic data only."""

import datetime

import factory
from django.utils import timezone

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import Case, MissingReason, ReferralSource
from cmetrack.children.models import Address, Child, Sex, VulnerabilityFlagType
from cmetrack.schools.models import School


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: f"{900000 + n}")
    la_code = "343"
    la_name = "Sefton"
    establishment_number = factory.Sequence(lambda n: f"{2000 + n % 8000:04d}")
    name = factory.Sequence(lambda n: f"Test Primary School {n}")
    phase = "Primary"
    type_name = "Community school"
    status_name = "Open"
    is_open = True
    postcode = "L20 7AE"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.LA_TEAM
    name = factory.Sequence(lambda n: f"Organisation {n}")
    la_code = "343"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    role = User.Role.CME_OFFICER
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("a-long-test-password")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    forenames = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2015, 3, 27)
    sex = Sex.FEMALE
    upn = ""


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    child = factory.SubFactory(ChildFactory)
    line_1 = "1 Test Street"
    town = "Bootle"
    postcode = "L20 7AE"
    postcode_raw = "L20 7AE"


def reason(code: str = "whereabouts-unknown") -> MissingReason:
    """Reasons are loaded by migration; tests use the real reference data."""
    return MissingReason.objects.get(code=code)


def flag_type(code: str = "child-protection-plan") -> VulnerabilityFlagType:
    return VulnerabilityFlagType.objects.get(code=code)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    child = factory.SubFactory(ChildFactory)
    primary_reason = factory.LazyFunction(reason)
    referral_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    referral_source = ReferralSource.SCHOOL
