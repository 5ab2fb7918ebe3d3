"""factory_boy factories for tests. Synthetic data only."""

import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db import models
from django.utils import timezone

from cmetrack.accounts.models import Organisation, User
from cmetrack.cases.models import Case, MissingReason, ReferralSource
from cmetrack.children.models import Address, Child, Sex, VulnerabilityFlagType
from cmetrack.schools.models import School

_M = TypeVar("_M", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[_M]):
    """A DjangoModelFactory typed by its model: `UserFactory()` is a `User` to mypy.

    factory_boy 3.3 is generic, so `build()`, `create()` and their `_batch` forms already return
    the model. Calling the class itself goes through `FactoryMetaClass.__call__`, which mypy does
    not read (python/mypy#14122), and so it would type `UserFactory()` as a `UserFactory`. The
    `__new__` below exists for the type checker only and says what that call really returns.
    """

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # mypy wants __new__ to return an instance of the class; this one describes the
        # metaclass's call, which returns the model instead.
        def __new__(cls, **kwargs: Any) -> _M: ...  # type: ignore[misc]


class SchoolFactory(ModelFactory[School]):
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


class OrganisationFactory(ModelFactory[Organisation]):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.LA_TEAM
    name = factory.Sequence(lambda n: f"Organisation {n}")
    la_code = "343"


class UserFactory(ModelFactory[User]):
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


class ChildFactory(ModelFactory[Child]):
    class Meta:
        model = Child

    forenames = factory.Faker("first_name", locale="en_GB")
    surname = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2015, 3, 27)
    sex = Sex.FEMALE
    upn = ""


class AddressFactory(ModelFactory[Address]):
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


class CaseFactory(ModelFactory[Case]):
    class Meta:
        model = Case

    child = factory.SubFactory(ChildFactory)
    primary_reason = factory.LazyFunction(reason)
    referral_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    referral_source = ReferralSource.SCHOOL
