"""Merging two records of one child: preview, choices, what moves, the tombstone, refusals."""

from datetime import date

import pytest
from auditlog.models import LogEntry

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.cases.status import Status
from cmetrack.children.models import Child, ChildFlag, Contact, FormerUpn, OtherName
from cmetrack.matching.models import ChildMatchKey, NonMatch
from cmetrack.matching.selectors import resolve_child
from cmetrack.matching.services import (
    MatchingError,
    child_merge,
    child_merge_preview,
    non_match_record,
)
from cmetrack.testing.factories import AddressFactory, CaseFactory, ChildFactory, flag_type


@pytest.fixture
def target(db: None) -> Child:
    child = ChildFactory(
        forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4), upn="H801200001001"
    )
    AddressFactory(child=child, postcode="L20 7AE")
    return child


@pytest.fixture
def source(db: None) -> Child:
    child = ChildFactory(
        forenames="Millie",
        surname="Smith",
        date_of_birth=date(2015, 4, 3),
        upn="W343200024001",
        first_language="Polish",
    )
    AddressFactory(child=child, postcode="PR8 1DA", line_1="2 New Road")
    Contact.objects.create(child=child, name="Anna Smith", relationship="Mother")
    FormerUpn.objects.create(child=child, upn="G80120000101A")
    return child


def test_preview_lists_what_moves_and_what_conflicts(source: Child, target: Child) -> None:
    closed = CaseFactory(child=source)
    preview = child_merge_preview(source=source, target=target)
    groups = {g.label: g.items for g in preview.moves}
    assert closed.reference in groups["Cases"][0]
    assert groups["Parents and carers"] == ["Anna Smith"]
    assert groups["Former UPNs"] == ["G80120000101A"]
    assert {c.name for c in preview.conflicts} == {"forenames", "date_of_birth", "upn"}
    assert any("First language: Polish" in line for line in preview.filled)
    assert preview.can_merge


def test_merge_moves_everything_and_leaves_a_tombstone(
    source: Child, target: Child, officer: User
) -> None:
    case = CaseFactory(child=source)
    ChildFlag.objects.create(child=source, flag_type=flag_type())
    kept = child_merge(
        source=source,
        target=target,
        choices={"forenames": "target", "date_of_birth": "target", "upn": "source"},
        by=officer,
    )
    source.refresh_from_db()
    assert kept == target
    assert source.merged_into == target
    assert resolve_child(source) == target
    case.refresh_from_db()
    assert case.child == target
    assert kept.forenames == "Amelia"
    assert kept.date_of_birth == date(2015, 3, 4)
    assert kept.upn == "W343200024001"
    assert kept.first_language == "Polish"  # filled from the duplicate
    assert set(kept.former_upns.values_list("upn", flat=True)) == {
        "H801200001001",
        "G80120000101A",
    }
    assert kept.addresses.count() == 2
    assert kept.contacts.get().name == "Anna Smith"
    assert kept.flags.count() == 1
    assert OtherName.objects.filter(child=kept, forenames="Millie").exists()
    assert not ChildMatchKey.objects.filter(child=source).exists()
    assert "upn:G80120000101A" in set(
        ChildMatchKey.objects.filter(child=kept).values_list("key", flat=True)
    )


def test_merge_notes_the_timeline_of_the_open_case(
    source: Child, target: Child, officer: User
) -> None:
    case = CaseFactory(child=target)
    CaseFactory(child=source, status=Status.CLOSED, outcome="duplicate", closed_on=date(2025, 1, 1))
    child_merge(
        source=source,
        target=target,
        choices={"forenames": "target", "date_of_birth": "target", "upn": "target"},
        by=officer,
    )
    note = CaseEvent.objects.filter(case=case, kind="note_added").get()
    assert "Merged the duplicate record of Millie Smith" in note.payload["text"]


def test_merge_is_audited_as_the_officer(source: Child, target: Child, officer: User) -> None:
    child_merge(
        source=source,
        target=target,
        choices={"forenames": "source", "date_of_birth": "target", "upn": "target"},
        by=officer,
    )
    entries = LogEntry.objects.get_for_object(source).filter(actor=officer)
    assert any("merged_into" in str(entry.changes) for entry in entries)


def test_merge_moves_both_records_versions_on_so_forms_opened_before_it_are_stale(
    source: Child, target: Child, officer: User
) -> None:
    before = {source.pk: source.version, target.pk: target.version}
    child_merge(
        source=source,
        target=target,
        choices={"forenames": "target", "date_of_birth": "target", "upn": "target"},
        by=officer,
    )
    after = dict(Child.objects.filter(pk__in=before).values_list("pk", "version"))
    assert after == {pk: version + 1 for pk, version in before.items()}


def test_merge_refuses_when_both_have_an_open_case(
    source: Child, target: Child, officer: User
) -> None:
    CaseFactory(child=source)
    CaseFactory(child=target)
    preview = child_merge_preview(source=source, target=target)
    assert not preview.can_merge
    with pytest.raises(MatchingError, match="close one of them first"):
        child_merge(source=source, target=target, choices={}, by=officer)
    assert Child.objects.get(pk=source.pk).merged_into is None
    assert Case.objects.filter(child=target).count() == 1


def test_merge_needs_a_choice_for_each_conflict(
    source: Child, target: Child, officer: User
) -> None:
    with pytest.raises(MatchingError, match="Choose which value to keep for: Legal first name"):
        child_merge(source=source, target=target, choices={"upn": "target"}, by=officer)


def test_merge_refuses_other_roles(source: Child, target: Child, school_user: User) -> None:
    with pytest.raises(MatchingError, match="CME team"):
        child_merge(source=source, target=target, choices={}, by=school_user)


def test_a_tombstone_cannot_be_merged_again(source: Child, target: Child, officer: User) -> None:
    choices = {"forenames": "target", "date_of_birth": "target", "upn": "target"}
    child_merge(source=source, target=target, choices=choices, by=officer)
    with pytest.raises(MatchingError, match="already been merged"):
        child_merge(source=source, target=target, choices=choices, by=officer)


def test_a_record_cannot_merge_into_itself(target: Child, officer: User) -> None:
    with pytest.raises(MatchingError, match="same record"):
        child_merge(source=target, target=target, choices={}, by=officer)


def test_not_the_same_decisions_follow_the_merge(
    source: Child, target: Child, officer: User
) -> None:
    twin = ChildFactory(forenames="Grace", surname="Smith", date_of_birth=date(2015, 3, 4))
    non_match_record(child_a=source, child_b=twin, by=officer)
    child_merge(
        source=source,
        target=target,
        choices={"forenames": "target", "date_of_birth": "target", "upn": "target"},
        by=officer,
    )
    decision = NonMatch.objects.get()
    assert {decision.child_a_id, decision.child_b_id} == {target.pk, twin.pk}


def test_a_duplicate_active_flag_stays_with_the_tombstone(
    source: Child, target: Child, officer: User
) -> None:
    ChildFlag.objects.create(child=source, flag_type=flag_type())
    ChildFlag.objects.create(child=target, flag_type=flag_type())
    preview = child_merge_preview(source=source, target=target)
    assert any("already on the record you keep" in line for line in preview.kept)
    child_merge(
        source=source,
        target=target,
        choices={"forenames": "target", "date_of_birth": "target", "upn": "target"},
        by=officer,
    )
    assert target.flags.filter(removed_at__isnull=True).count() == 1


def test_non_match_refuses_the_same_record_and_other_roles(
    target: Child, officer: User, agency_user: User
) -> None:
    with pytest.raises(MatchingError):
        non_match_record(child_a=target, child_b=target, by=officer)
    other = ChildFactory()
    with pytest.raises(MatchingError):
        non_match_record(child_a=target, child_b=other, by=agency_user)
