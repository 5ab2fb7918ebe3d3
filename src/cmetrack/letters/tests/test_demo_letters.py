"""The shipped letters against the demo authority (`make run`'s data): each fills from some
demo case as it stands, with nothing left unfilled; the notification to another authority once
the case has been handed over (the letter goes with a hand-over). The confirmation to a school
needs an agreed removal from a school's deletion return, which the demo does not hold; the
hand-made case in conftest.py covers it."""

from __future__ import annotations

import re

import pytest

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case
from cmetrack.demo.seed import seed_demo
from cmetrack.letters.models import LetterTemplate
from cmetrack.letters.pdf import docx_to_pdf
from cmetrack.letters.rendering import LetterProblem, docx_text
from cmetrack.letters.services import letter_fill
from cmetrack.referrals.services import handover_send

from .conftest import needs_libreoffice

pytestmark = pytest.mark.django_db

LEFT_OVER = re.compile(r"\{\{|\}\}|\{%|%\}")
FROM_THE_DEMO = [
    "parent-absence",
    "calling-card",
    "social-care-referral",
    "closure-confirmation",
]


@pytest.fixture
def demo() -> User:
    seed_demo(schools=10, children=40, cases=30)
    officer = User.objects.filter(role=User.Role.CME_OFFICER, is_active=True).first()
    assert officer is not None
    return officer


def _first_that_fills(slug: str, officer: User) -> tuple[Case, bytes]:
    template = LetterTemplate.objects.get(slug=slug)
    for case in Case.objects.order_by("pk"):
        try:
            return case, letter_fill(case=case, template=template, by=officer).docx
        except LetterProblem:
            continue
    raise AssertionError(f"no demo case can fill {slug}")


def test_each_letter_fills_from_a_demo_case_with_nothing_left(demo: User) -> None:
    for slug in FROM_THE_DEMO:
        case, docx = _first_that_fills(slug, demo)
        text = docx_text(docx)
        assert not LEFT_OVER.search(text), slug
        assert case.reference in text, slug


def test_the_notification_to_another_authority_fills_once_the_case_is_handed_over(
    demo: User,
) -> None:
    manager = User.objects.filter(role=User.Role.CME_MANAGER, is_active=True).first()
    assert manager is not None
    case = Case.objects.filter(closed_on__isnull=True).order_by("pk").first()
    assert case is not None
    template = LetterTemplate.objects.get(slug="other-la-notification")
    with pytest.raises(LetterProblem, match="receiving_authority"):
        letter_fill(case=case, template=template, by=demo)

    handover_send(case=case, other_la_name="Wirral Council", other_la_code="344", by=manager)
    text = docx_text(letter_fill(case=case, template=template, by=demo).docx)

    assert "Wirral Council" in text and case.child.full_name in text
    assert not LEFT_OVER.search(text)


def test_the_letter_to_parents_from_a_demo_case_becomes_a_pdf(demo: User) -> None:
    needs_libreoffice()
    _, docx = _first_that_fills("parent-absence", demo)

    assert docx_to_pdf(docx).startswith(b"%PDF-")
