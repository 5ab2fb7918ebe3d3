"""The import preview's likely known children: stored with their ids, and each showing of the
preview to the CME team writes a view entry for every child it names."""

from datetime import date

from auditlog.models import LogEntry
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.children.models import Child
from cmetrack.conftest import client_for
from cmetrack.referrals.imports import batch_preview, import_commit, import_upload
from cmetrack.referrals.models import ImportKnownChild
from cmetrack.testing.factories import ChildFactory, SchoolFactory

from .test_imports import UPN_1, UPN_2, csv_bytes, csv_row


def _views_of(child: Child) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(child.pk)).filter(
            content_type__model="child"
        )
    )


def _file(urn: str) -> bytes:
    return csv_bytes(
        csv_row(urn),  # row 2: known by UPN
        csv_row(urn, upn="", forename="Noah", surname="Sample", date_of_birth="02/01/2014"),
        csv_row(urn, upn=UPN_2, surname="Unknown"),  # row 4: nobody known
    )


def _known_pair() -> tuple[Child, Child]:
    by_upn = ChildFactory(upn=UPN_1)
    by_name = ChildFactory(
        upn="", forenames="Noah", surname="Sample", date_of_birth=date(2014, 1, 2)
    )
    return by_upn, by_name


def test_the_check_stores_each_likely_known_child_with_its_row(officer: User) -> None:
    by_upn, by_name = _known_pair()
    batch, preview = import_upload(
        data=_file(SchoolFactory().urn), filename="returns.csv", by=officer
    )
    assert preview is not None
    stored = {(m.row, m.child_id) for m in ImportKnownChild.objects.filter(batch=batch)}
    assert stored == {(2, by_upn.pk), (3, by_name.pk)}
    # The stored preview gives the same children back, without parsing again.
    assert batch_preview(batch=batch, by=officer).known == {2: by_upn, 3: by_name}


def test_each_showing_of_the_preview_is_a_view_of_every_child_it_names(officer: User) -> None:
    by_upn, by_name = _known_pair()
    someone_else = ChildFactory(upn="")
    batch, _ = import_upload(data=_file(SchoolFactory().urn), filename="returns.csv", by=officer)
    client = client_for(officer)
    url = reverse("referrals:import-preview", args=[batch.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "Likely the known child" in page.content.decode()
    for child in (by_upn, by_name):
        [entry] = _views_of(child)
        assert entry.actor == officer
        assert entry.additional_data == {"page": "referrals:import-preview"}
    assert _views_of(someone_else) == []
    client.get(url)
    assert len(_views_of(by_upn)) == 2 and len(_views_of(by_name)) == 2


def test_a_schools_preview_names_no_known_child_and_writes_no_view(school_user: User) -> None:
    by_upn, by_name = _known_pair()
    assert school_user.organisation and school_user.organisation.school
    urn = school_user.organisation.school.urn
    batch, _ = import_upload(data=_file(urn), filename="returns.csv", by=school_user)
    assert not ImportKnownChild.objects.filter(batch=batch).exists()
    page = client_for(school_user).get(reverse("referrals:import-preview", args=[batch.public_id]))
    assert page.status_code == 200 and "Likely the known child" not in page.content.decode()
    assert _views_of(by_upn) == [] and _views_of(by_name) == []


def test_a_committed_batch_no_longer_shows_or_audits_the_children(officer: User) -> None:
    by_upn, _ = _known_pair()
    batch, _ = import_upload(data=_file(SchoolFactory().urn), filename="returns.csv", by=officer)
    import_commit(batch=batch, valid_only=False, by=officer)
    page = client_for(officer).get(reverse("referrals:import-preview", args=[batch.public_id]))
    assert "Likely the known child" not in page.content.decode()
    assert _views_of(by_upn) == []


def test_another_schools_user_is_refused_the_preview_and_nothing_is_viewed(
    officer: User, other_school_user: User
) -> None:
    by_upn, _ = _known_pair()
    batch, _ = import_upload(data=_file(SchoolFactory().urn), filename="returns.csv", by=officer)
    response = client_for(other_school_user).get(
        reverse("referrals:import-preview", args=[batch.public_id])
    )
    assert response.status_code == 404
    assert _views_of(by_upn) == []
