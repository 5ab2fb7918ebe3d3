"""Recording a referral checks whether the child is already known, with reasons shown."""

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.cases.tests.test_views_journey import referral_post
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.matching.models import NonMatch
from cmetrack.testing.factories import AddressFactory, ChildFactory


@pytest.fixture
def known_amelia(db: None) -> Child:
    child = ChildFactory(forenames="Amelia", surname="Testington", date_of_birth=date(2015, 3, 27))
    AddressFactory(child=child, postcode="L20 7AE", postcode_raw="L20 7AE")
    return child


def nickname_referral(**extra: object) -> dict[str, Any]:
    # "Millie" for Amelia, no UPN: not an exact match, but very likely the same child.
    return referral_post(forenames="Millie", upn="", **extra)


def test_a_likely_match_is_shown_with_its_reasons_before_anything_is_written(
    officer: User, known_amelia: Child
) -> None:
    response = client_for(officer).post(reverse("referrals:team-referral"), nickname_referral())
    page = response.content.decode()
    assert response.status_code == 200
    assert "This child may already be known" in page
    assert "known short form" in page  # the explanation line the officer reads
    assert not Case.objects.exists() and Child.objects.count() == 1


def test_choosing_the_known_child_opens_the_case_on_their_record(
    officer: User, known_amelia: Child
) -> None:
    response = client_for(officer).post(
        reverse("referrals:team-referral"),
        nickname_referral(
            child_choice=str(known_amelia.public_id), shown=[str(known_amelia.public_id)]
        ),
    )
    assert response.status_code == 302
    assert Case.objects.get().child == known_amelia
    assert Child.objects.count() == 1


def test_a_different_child_gets_a_new_record_and_the_pair_is_not_suggested_again(
    officer: User, known_amelia: Child
) -> None:
    client = client_for(officer)
    response = client.post(
        reverse("referrals:team-referral"),
        nickname_referral(child_choice="new", shown=[str(known_amelia.public_id)]),
    )
    assert response.status_code == 302
    new_child = Case.objects.get().child
    assert new_child != known_amelia
    assert NonMatch.objects.count() == 1


def test_resubmitting_without_a_choice_asks_for_one(officer: User, known_amelia: Child) -> None:
    response = client_for(officer).post(
        reverse("referrals:team-referral"), nickname_referral(shown=[str(known_amelia.public_id)])
    )
    assert "Choose whether the child is one of the children shown" in response.content.decode()
    assert not Case.objects.exists()


def test_an_exact_match_is_reused_without_asking(officer: User, known_amelia: Child) -> None:
    response = client_for(officer).post(reverse("referrals:team-referral"), referral_post(upn=""))
    assert response.status_code == 302
    assert Case.objects.get().child == known_amelia


def test_no_likely_match_creates_the_child_at_once(officer: User) -> None:
    ChildFactory(forenames="Zebedee", surname="Quimby", date_of_birth=date(2010, 1, 1))
    response = client_for(officer).post(reverse("referrals:team-referral"), referral_post())
    assert response.status_code == 302
    assert Child.objects.count() == 2
