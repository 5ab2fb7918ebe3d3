"""No input to an intake form gives a 500 (issue 9): every POST form a partner, the public or the
CME team can reach gets hostile values (huge, NUL, unicode, overflowing years, SQL and HTML,
several values, missing fields). The answer is a page with errors, a redirect, 403 or 404, and a
refused form writes nothing. See `cmetrack.testing.hostile`."""

import os
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.cases.status import Status
from cmetrack.conftest import client_for
from cmetrack.referrals.models import OtherLaNotification, Submission
from cmetrack.referrals.services import deletion_return_submit, handover_send
from cmetrack.testing.factories import CaseFactory, reason
from cmetrack.testing.hostile import NEVER_500, hostile_post, hostile_text, posted_safely, undone

from .helpers import CHILD, date_fields, deletion_data

TODAY = timezone.localdate()


def _school(user: User) -> Any:
    assert user.organisation is not None
    return user.organisation.school


def child_post() -> dict[str, Any]:
    return {
        "forenames": "Amelia",
        "surname": "Testington",
        "sex": "F",
        "upn": "H801200001001",
        "address_line_1": "1 Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
        **date_fields("date_of_birth", CHILD.date_of_birth),
    }


DELETION = {
    **child_post(),
    "parent_names": "Jo Testington",
    "parent_address": "",
    "emergency_phone": "07700 900123",
    "ground": "g",
    "lost_pupil": "",
    "new_address": "2 Elsewhere Street",
    "new_school": "",
    "new_school_name": "",
    **date_fields("deletion_date", TODAY + timedelta(days=1)),
    **date_fields("new_address_from", TODAY),
    **date_fields("new_school_start", None),
}

NEW_PUPIL = {
    **child_post(),
    "parent_names": "Jo Testington",
    "parent_phone": "07700 900123",
    "previous_school": "Elsewhere Primary, Wigan",
    **date_fields("start_date", TODAY),
}

OTHER_LA = {
    **child_post(),
    "nature": "moved_in",
    "other_la_name": "Wirral",
    "other_la_code": "344",
    "previous_address": "3 Old Road, Birkenhead",
    "concerns": "Family left owing rent",
    "officer_name": "Pat Officer",
    "officer_phone": "0151 496 0000",
    "officer_email": "pat@example.invalid",
}

PUBLIC = {
    "about_child": "A girl, about 9, called Amelia",
    "where": "Bootle",
    "why_worried": "Never at school",
    "contact_name": "",
    "contact_phone": "",
    "contact_email": "",
}


def referral_post() -> dict[str, Any]:
    data: dict[str, Any] = {
        **child_post(),
        "parent_names": "Jo Testington",
        "parent_phone": "07700 900123",
        "referrer_name": "Pat Lead",
        "referrer_role": "DSL",
        "referrer_phone": "07700 900000",
        "referral_source": "health",
        "primary_reason": reason("whereabouts-unknown").pk,
        "secondary_reasons": [],
        "flags": [],
        "risk_level": "high",
        "dsl_risk_view": "Worried: no contact for 3 weeks",
        "social_care_referred": "",
        "social_care_outcome": "",
        "action_1_what": "Phoned all contacts",
        "action_1_outcome": "No answer",
        "visit_1_address": "1 Example Road",
        "visit_1_time": "14:30",
        "visit_1_seen": "",
        **date_fields("action_1_date", TODAY - timedelta(days=5)),
        **date_fields("visit_1_date", TODAY - timedelta(days=3)),
        **date_fields("date_last_attended", TODAY - timedelta(days=20)),
    }
    for i in (2, 3):
        data.update(date_fields(f"action_{i}_date", None))
    data.update(date_fields("visit_2_date", None))
    return data


# --- the partners' forms ----------------------------------------------------------------------


def _form_never_fails(
    request: pytest.FixtureRequest, url: str, personas: list[str], valid: dict[str, Any]
) -> None:
    clients = [client_for(request.getfixturevalue(p)) for p in personas]

    @NEVER_500
    @given(client=st.sampled_from(clients), data=hostile_post(valid))
    def check(client: Client, data: dict[str, Any]) -> None:
        with undone():
            posted_safely(client, url, data)

    check()


def test_the_deletion_return_never_fails(request: pytest.FixtureRequest, school_user: User) -> None:
    valid = {**DELETION, "school": _school(school_user).pk}  # the CME team chooses the school
    _form_never_fails(request, reverse("referrals:deletion"), ["school_user", "officer"], valid)


def test_the_new_pupil_return_never_fails(
    request: pytest.FixtureRequest, school_user: User
) -> None:
    valid = {**NEW_PUPIL, "school": _school(school_user).pk}
    _form_never_fails(request, reverse("referrals:new-pupil"), ["school_user", "officer"], valid)


def test_the_referral_never_fails(request: pytest.FixtureRequest, school_user: User) -> None:
    valid = {**referral_post(), "last_school": _school(school_user).pk}
    personas = ["agency_user", "school_user", "officer"]
    _form_never_fails(request, reverse("referrals:referral"), personas, valid)


def test_the_other_la_notification_never_fails(request: pytest.FixtureRequest) -> None:
    _form_never_fails(request, reverse("referrals:other-la"), ["outsider", "officer"], OTHER_LA)


DATE_CASES = {
    "year 1": ("1", "1", "0001"),
    "overflowing year": ("1", "1", "99999999999"),
    "overflowing day": ("99999999999", "1", "2020"),
    "no year": ("2", "12", ""),
}


@pytest.mark.parametrize("case", list(DATE_CASES))
@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("referrals:deletion", "date_of_birth"),
        ("referrals:deletion", "deletion_date"),
        ("referrals:deletion", "new_address_from"),
        ("referrals:new-pupil", "start_date"),
        ("referrals:referral", "date_last_attended"),
        ("referrals:referral", "date_of_birth"),
    ],
)
def test_a_date_no_return_can_use_is_an_error_not_a_500(
    school_user: User, name: str, field: str, case: str
) -> None:
    valid = {
        "referrals:deletion": DELETION,
        "referrals:new-pupil": NEW_PUPIL,
        "referrals:referral": referral_post(),
    }[name]
    day, month, year = DATE_CASES[case]
    data = {**valid, f"{field}_0": day, f"{field}_1": month, f"{field}_2": year}
    response = posted_safely(client_for(school_user), reverse(name), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


@override_settings(CMETRACK_PUBLIC_CONCERN_RATE="100000/h")  # else 429 after five posts
def test_the_public_concern_never_fails_for_anyone(db: None, agency_user: User) -> None:
    url = reverse("referrals:concern")
    cache.clear()

    @NEVER_500
    @given(data=hostile_post(PUBLIC, extra=("website",)), signed_in=st.booleans())
    def check(data: dict[str, Any], signed_in: bool) -> None:
        with undone():
            posted_safely(client_for(agency_user if signed_in else None), url, data)

    check()
    cache.clear()


def test_the_import_upload_never_fails(school_user: User) -> None:
    client, url = client_for(school_user), reverse("referrals:import")
    header = b"return_type,school_urn,upn,surname,forename,date_of_birth,sex\r\n"

    @NEVER_500
    @given(
        body=st.binary(max_size=300) | hostile_text.map(lambda s: header + s.encode()),
        # A name a browser could send: Django itself refuses to build an upload called "",
        # "." or ".." (what is left of "/" or "a/.." once the folder is taken off).
        name=hostile_text.filter(
            lambda s: (
                "\x00" not in s and s.strip() and os.path.basename(s[:200]) not in {"", ".", ".."}
            )
        ),
    )
    def check(body: bytes, name: str) -> None:
        with undone():
            upload = SimpleUploadedFile(name[:200], body, content_type="text/csv")
            response = client.post(url, {"file": upload})
            assert response.status_code < 500

    check()


# --- the CME team's triage and hand-overs ---------------------------------------------------


@pytest.fixture
def awaiting(school_user: User) -> Submission:
    """A deletion return under ground (h): every triage form applies to it."""
    return deletion_return_submit(
        data=deletion_data(_school(school_user), ground="h"), by=school_user
    )


TRIAGE_FORMS: dict[str, dict[str, Any]] = {
    "referrals:open-case": {
        "forenames": "Amelia",
        "surname": "Testington",
        **date_fields("date_of_birth", CHILD.date_of_birth),
        "primary_reason": "",  # filled in by the test: reference data needs the database
    },
    "referrals:link": {"reference": "CME-0000-0000"},
    "referrals:no-action": {"reason": "Known: on roll in Wales", "shared_status": "recorded"},
    "referrals:confirm": {"note": "Police and health checked: nothing known"},
    "referrals:apply": {},
    "referrals:close-case": {},
}


def test_the_triage_forms_never_fail(officer: User, awaiting: Submission) -> None:
    client = client_for(officer)
    forms = {
        name: (reverse(name, args=[awaiting.public_id]), dict(valid))
        for name, valid in TRIAGE_FORMS.items()
    }
    forms["referrals:open-case"][1]["primary_reason"] = reason("whereabouts-unknown").pk

    @settings(NEVER_500, max_examples=100)
    @given(name=st.sampled_from(sorted(forms)), data=st.data())
    def check(name: str, data: st.DataObject) -> None:
        url, valid = forms[name]
        with undone():
            posted_safely(
                client, url, data.draw(hostile_post(valid, extra=("csrfmiddlewaretoken",)))
            )

    check()


@pytest.fixture
def handover(officer: User) -> OtherLaNotification:
    case = CaseFactory(status=Status.ENQUIRIES)
    return handover_send(case=case, other_la_name="Wirral", other_la_code="344", by=officer)


def test_the_handover_forms_never_fail(
    officer: User, outsider: User, handover: OtherLaNotification
) -> None:
    assert handover.case is not None
    pages = [
        (
            client_for(officer),
            reverse("referrals:handovers", args=[handover.case.public_id]),
            {
                "other_la_name": "Knowsley",
                "other_la_code": "340",
                "new_address": "4 New Road",
                "concerns": "None",
            },
        ),
        (
            client_for(officer),
            reverse("referrals:handover", args=[handover.public_id]),
            {"to": "declined", "reason": "Not at that address"},
        ),
        (
            client_for(outsider),
            reverse("referrals:handover-reply", args=[handover.public_id]),
            {"to": "acknowledged", "reason": ""},
        ),
    ]

    @NEVER_500
    @given(page=st.sampled_from(range(len(pages))), data=st.data())
    def check(page: int, data: st.DataObject) -> None:
        client, url, valid = pages[page]
        with undone():
            posted_safely(client, url, data.draw(hostile_post(valid)))

    check()
