"""Item 9 of issue 9: a UPN with a wrong check letter does not block a return. It is kept as
an unverified UPN, shown, warned about, and never used to find the child."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cmetrack.accounts.models import User
from cmetrack.referrals.services import deletion_return_submit, find_open_case
from cmetrack.testing.factories import CaseFactory

from .helpers import CHILD, deletion_data

pytestmark = pytest.mark.django_db

WRONG_LETTER = "H801200001009"  # CHILD's UPN with a wrong check letter


def test_a_wrong_check_letter_is_kept_unverified_and_warned_about(school_user: User) -> None:
    assert school_user.organisation is not None and school_user.organisation.school is not None
    ret = deletion_return_submit(
        data=deletion_data(school_user.organisation.school, child=replace(CHILD, upn=WRONG_LETTER)),
        by=school_user,
    )
    assert ret.upn == "" and ret.upn_unverified == WRONG_LETTER
    assert any("unverified" in message for _field, message in ret.intake_warnings)


def test_an_unverified_upn_is_never_used_to_find_the_child(school_user: User) -> None:
    assert school_user.organisation is not None and school_user.organisation.school is not None
    # Even a record holding exactly that string is not found by it: only verified UPNs match.
    CaseFactory(child__upn=WRONG_LETTER, child__surname="Someone-Else")
    stranger = replace(CHILD, upn=WRONG_LETTER, forenames="Unrelated", surname="Person")
    ret = deletion_return_submit(
        data=deletion_data(school_user.organisation.school, child=stranger), by=school_user
    )
    assert find_open_case(ret) is None
