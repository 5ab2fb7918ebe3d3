"""Retention and subject access reach the home-education register: a child still on it is kept,
a past record's review notes go with the rest of the free text, and the export holds them."""

from datetime import date

import pytest

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.ehe.models import EheReason, EheRecord, EheReview, EndReason
from cmetrack.privacy.retention import child_anonymise, children_due_for_anonymising
from cmetrack.privacy.subject_access import subject_access_document

from .test_retention import TODAY, old_child_with_history


def _on_register(child: Child, *, ended: bool) -> EheRecord:
    return EheRecord.objects.create(
        child=child,
        source="parent_notice",
        start_date=date(2015, 3, 2),
        reason=EheReason.objects.order_by("pk").first(),
        provider_details="Taught by Aunt Philomena at 12 Secret Street",
        end_date=date(2016, 7, 20) if ended else None,
        end_reason=EndReason.values[0] if ended else "",
    )


def test_a_child_still_on_the_home_education_register_is_never_due(
    officer: User, manager: User
) -> None:
    child = old_child_with_history(officer, manager)
    _on_register(child, ended=False)
    assert list(children_due_for_anonymising(TODAY)) == []
    with pytest.raises(ValueError, match="home-education register"):
        child_anonymise(child=child)


def test_anonymising_clears_what_was_written_in_home_education_reviews(
    officer: User, manager: User
) -> None:
    child = old_child_with_history(officer, manager)
    record = _on_register(child, ended=True)
    review = EheReview.objects.create(
        record=record,
        reviewed_on=date(2015, 6, 1),
        method=EheReview.Method.HOME_VISIT,
        outcome=EheReview.Outcome.SUITABLE,
        note="Zebulon showed his workbooks",
    )
    assert list(children_due_for_anonymising(TODAY)) == [child]
    child_anonymise(child=child)
    review.refresh_from_db()
    record.refresh_from_db()
    assert "Zebulon" not in review.note
    assert "Philomena" not in record.provider_details
    assert review.outcome == EheReview.Outcome.SUITABLE  # the figures keep what happened


def test_the_subject_access_document_holds_home_education_reviews(
    officer: User, manager: User
) -> None:
    child = old_child_with_history(officer, manager)
    record = _on_register(child, ended=True)
    EheReview.objects.create(
        record=record,
        reviewed_on=date(2015, 6, 1),
        method=EheReview.Method.HOME_VISIT,
        outcome=EheReview.Outcome.SUITABLE,
        note="Zebulon showed his workbooks",
    )
    held = subject_access_document(child)["held_about_the_child"]
    assert [r["note"] for r in held["ehe.ehereview"]] == ["Zebulon showed his workbooks"]
    assert [r["reference"] for r in held["ehe.eherecord"]] == [record.reference]
