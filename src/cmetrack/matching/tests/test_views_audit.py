"""Looking at possible duplicates shows children's records, so it is audited like a case page."""

import re
from datetime import date

from auditlog.models import LogEntry
from django.urls import reverse

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.testing.factories import ChildFactory


def test_the_candidates_page_records_a_view_of_each_child_it_shows(officer: User) -> None:
    child = ChildFactory(forenames="Amelia", surname="Kowalczyk", date_of_birth=date(2015, 3, 27))
    twin_of_record = ChildFactory(
        forenames="Amelia", surname="Kowalczyk", date_of_birth=date(2015, 3, 27)
    )
    client_for(officer).get(reverse("matching:candidates", args=[child.public_id]))
    viewed = set(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=officer).values_list(
            "object_pk", flat=True
        )
    )
    assert {str(child.pk), str(twin_of_record.pk)} <= viewed


def test_the_merge_page_records_both_views_and_has_no_nested_form(officer: User) -> None:
    a = ChildFactory(forenames="Amelia", surname="Kowalczyk", date_of_birth=date(2015, 3, 27))
    b = ChildFactory(forenames="Millie", surname="Kowalczyk", date_of_birth=date(2015, 3, 27))
    page = client_for(officer).get(reverse("matching:merge", args=[a.public_id, b.public_id]))
    html = page.content.decode()
    depth = 0
    for closing in re.findall(r"<(/?)form\b", html):
        depth += -1 if closing else 1
        assert depth <= 1
    viewed = set(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS).values_list("object_pk", flat=True)
    )
    assert {str(a.pk), str(b.pk)} <= viewed
