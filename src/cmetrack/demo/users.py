"""The demo's organisations and accounts: one per role, plus officers to share the caseload.

There is no accounts service to write through (organisations and users are set up by an
administrator in Django admin), so these are the demo's only direct model writes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from faker import Faker

from cmetrack.accounts.models import Organisation, User
from cmetrack.schools.models import School

from .people import ascii_slug
from .vocabulary import LA_CODE

# Demo-only credentials, printed by the command on purpose. seed_demo refuses a database that
# already holds cases and the command refuses a non-DEBUG installation unless forced.
DEMO_PASSWORD = "cmetrack-demo-2026"  # noqa: S105 - the published demo password # nosec B105
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("officer", "CME officer"),
    ("manager", "CME manager"),
    ("admin", "Administrator"),
    ("school", "School user"),
    ("agency", "Agency user"),
    ("otherla", "Other local authority user (Liverpool)"),
    ("ehe", "Elective home education officer"),
)


class Accounts:
    def __init__(self, en: Faker, *, say: Callable[[str], None]) -> None:
        self.en = en
        self.say = say

    def make(self, user_school: School) -> tuple[list[Organisation], dict[str, User]]:
        orgs = {
            "la": _org(Organisation.Kind.LA_TEAM, "Sefton Council CME team", LA_CODE),
            "school": _org(Organisation.Kind.SCHOOL, user_school.name, LA_CODE, user_school),
            "agency": _org(Organisation.Kind.AGENCY, "Sefton Children's Social Care", LA_CODE),
            "otherla": _org(Organisation.Kind.OTHER_LA, "Liverpool City Council CME team", "341"),
        }
        # One hash for every demo account: PBKDF2 is deliberately slow, and these are public.
        password = make_password(DEMO_PASSWORD)
        roles = {
            "officer": (User.Role.CME_OFFICER, "la"),
            "manager": (User.Role.CME_MANAGER, "la"),
            "admin": (User.Role.ADMIN, "la"),
            "school": (User.Role.SCHOOL_USER, "school"),
            "agency": (User.Role.AGENCY_USER, "agency"),
            "otherla": (User.Role.OTHER_LA_USER, "otherla"),
        }
        users: dict[str, User] = {}
        for username, (role, org_key) in roles.items():
            users[username] = self._user(username, role, orgs[org_key], password)
        # Named here rather than drawn, so the demo's other draws (and so its people) stay the
        # same as before the EHE team had an account.
        users["ehe"] = self._user(
            "ehe", User.Role.EHE_OFFICER, orgs["la"], password, "Erin", "Hale"
        )
        # Three more officers so the caseload can be shared out.
        for _ in range(3):
            first, last = self.en.first_name(), self.en.last_name()
            username = f"{ascii_slug(first)[:1]}.{ascii_slug(last)}"
            while username in users:
                username += "x"
            users[username] = self._user(
                username, User.Role.CME_OFFICER, orgs["la"], password, first, last
            )
        return list(orgs.values()), users

    def _user(
        self,
        username: str,
        role: str,
        org: Organisation,
        password: str,
        first: str = "",
        last: str = "",
    ) -> User:
        first = first or self.en.first_name()
        last = last or self.en.last_name()
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            # Never overwrite an account someone made by hand: keep it, password and all.
            self.say(f"  Account '{username}' already exists; left unchanged.")
            return existing
        return User.objects.create(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@example.invalid",
            role=role,
            organisation=org,
        )


def _org(kind: str, name: str, la_code: str, school: School | None = None) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        kind=kind, name=name, defaults={"la_code": la_code, "school": school}
    )
    return org
