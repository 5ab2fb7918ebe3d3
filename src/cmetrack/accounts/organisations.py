"""Writes for the organisations people work for: administrators add a school, a partner agency
or another authority (the pages under /account/organisations/), and rename one or correct its
LA number. Every user belongs to one, so inviting a school's staff starts here.

An organisation's kind, and a school organisation's school, never change: users' roles follow
from the kind (`User.clean`), and a school's returns are scoped by it. Each change is in the
organisation's audit trail (auditlog, `audit_registration`), with the administrator as actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cmetrack.audit.context import acting_as

from .access import can_administer
from .models import Organisation, User

LA_CODE = re.compile(r"\d{3}")
NAME_LENGTH = Organisation._meta.get_field("name").max_length or 200


@dataclass(frozen=True)
class OrganisationData:
    kind: str
    name: str
    la_code: str = ""
    school_id: int | None = None  # a school organisation's school (schools.School's key)


class OrganisationRefused(Exception):
    """The change the rules refuse; `problems` maps each form field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def _refuse_unless_administrator(by: User) -> None:
    if not can_administer(by):
        raise PermissionDenied("Only an administrator can manage organisations.")


def organisation_problems(
    data: OrganisationData, *, existing: Organisation | None = None
) -> dict[str, str]:
    """Everything wrong with these details, by field (empty when they may be saved): the one
    check the pages and the services share."""
    problems: dict[str, str] = {}
    kind = data.kind
    if kind not in Organisation.Kind.values:
        problems["kind"] = "Choose what kind of organisation it is"
    name = data.name.strip()
    if not name:
        problems["name"] = "Enter the organisation's name"
    elif len(name) > NAME_LENGTH:
        problems["name"] = f"The name must be {NAME_LENGTH} characters or fewer"
    code = data.la_code.strip()
    if code and not LA_CODE.fullmatch(code):
        problems["la_code"] = "Enter the LA number as three digits, for example 343"
    elif kind == Organisation.Kind.OTHER_LA and not code:
        problems["la_code"] = "Enter the other authority's three-digit LA number"
    if kind == Organisation.Kind.SCHOOL and data.school_id is None:
        problems["school"] = "Enter the school's URN"
    others = Organisation.objects.all()
    if existing is not None:
        others = others.exclude(pk=existing.pk)
    if "name" not in problems and others.filter(kind=kind, name__iexact=name).exists():
        problems["name"] = f"There is already an organisation of this kind called {name}"
    if (
        kind == Organisation.Kind.OTHER_LA
        and "la_code" not in problems
        and others.filter(kind=kind, la_code=code).exists()
    ):
        problems["la_code"] = f"Another authority already has the LA number {code}"
    if kind == Organisation.Kind.LA_TEAM and others.filter(kind=kind).exists():
        problems["kind"] = "The authority has its CME team already: add its people to that"
    if (
        data.school_id is not None
        and others.filter(school_id=data.school_id).exists()
        and "school" not in problems
    ):
        problems["school"] = "That school has an organisation already"
    return problems


@transaction.atomic
def organisation_create(*, data: OrganisationData, by: User) -> Organisation:
    _refuse_unless_administrator(by)
    problems = organisation_problems(data)
    if problems:
        raise OrganisationRefused(problems)
    organisation = Organisation(
        kind=data.kind,
        name=data.name.strip(),
        la_code=data.la_code.strip(),
        school_id=data.school_id if data.kind == Organisation.Kind.SCHOOL else None,
    )
    organisation.full_clean()
    with acting_as(by):
        organisation.save()
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, name: str, la_code: str, by: User
) -> Organisation:
    """A new name or LA number; the kind and the school stay as they are."""
    _refuse_unless_administrator(by)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    data = OrganisationData(
        kind=locked.kind, name=name, la_code=la_code, school_id=locked.school_id
    )
    problems = organisation_problems(data, existing=locked)
    if problems:
        raise OrganisationRefused(problems)
    locked.name, locked.la_code = name.strip(), la_code.strip()
    with acting_as(by):
        locked.save(update_fields=["name", "la_code"])
    return locked
