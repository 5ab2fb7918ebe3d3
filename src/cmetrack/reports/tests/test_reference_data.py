"""The reference-data page: hand-counted figures on a small world, valid dates read against
today, the admin links only for administrators, the wrong roles refused, and the same number of
queries however many rows and records there are."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cmetrack.accounts.models import User
from cmetrack.cases.models import Case, EnquiryCheck, EnquiryCheckType, MissingReason, Task
from cmetrack.children.models import ChildFlag, VulnerabilityFlagType
from cmetrack.conftest import client_for
from cmetrack.core.deadlines import Timescales
from cmetrack.ehe.models import EheReason, EheRecord
from cmetrack.reports.models import CodeList, CollectionCode, CollectionTerm, ReasonMapping
from cmetrack.reports.reference_selectors import (
    TIMESCALE_WORDS,
    ReferenceData,
    Row,
    reference_data,
)
from cmetrack.testing.factories import CaseFactory, ChildFactory, UserFactory

URL = "/reports/reference-data/"
TODAY = date(2026, 11, 16)


@pytest.fixture
def ehe_officer(la_team: Any) -> User:
    return UserFactory(role=User.Role.EHE_OFFICER, organisation=la_team)


def _reason(code: str, **dates: date) -> MissingReason:
    return MissingReason.objects.create(code=code, label=f"Reason {code}", **dates)


def _closed(**fields: Any) -> Case:
    return CaseFactory(
        status="closed", outcome="on_roll_here", closed_on=date(2026, 6, 1), **fields
    )


def _enquiry(case: Case, check: EnquiryCheckType) -> EnquiryCheck:
    return EnquiryCheck.objects.create(
        case=case,
        check_type=check,
        done_on=date(2026, 10, 1),
        done_by_name="A. Officer, CME team",
        method="phone",
        result="nothing",
    )


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    r1 = _reason("r1", valid_from=date(2020, 9, 1))
    r2 = _reason("r2", valid_to=date(2025, 8, 31))
    r3 = _reason("r3", valid_from=date(2027, 9, 1))
    f1 = VulnerabilityFlagType.objects.create(code="f1", label="Flag one", escalates=True)
    f2 = VulnerabilityFlagType.objects.create(code="f2", label="Flag two")
    k1 = EnquiryCheckType.objects.create(code="k1", label="Check one", side="la")
    e1 = EheReason.objects.create(code="e1", label="EHE one", dfe_code="EHE_X")
    e2 = EheReason.objects.create(code="e2", label="EHE two", valid_to=date(2026, 1, 1))

    # Open: c1 (main r1, also r2), c2 (main r1), c4 (main r2, also r1), c5 (main r1, its child
    # also has the closed c3). Closed: c3 (main r1), c6 (main r1).
    c1 = CaseFactory(primary_reason=r1, status="enquiries")
    c1.secondary_reasons.add(r2)
    c2 = CaseFactory(primary_reason=r1)
    c3 = _closed(primary_reason=r1)
    c4 = CaseFactory(primary_reason=r2, status="untraced")
    c4.secondary_reasons.add(r1)
    CaseFactory(primary_reason=r1, child=c3.child)  # c5
    c6 = _closed(primary_reason=r1)
    c6.secondary_reasons.add(r3)  # a closed case's other reason is not counted

    # f1 active: c1's child (open), c3/c5's child (open and closed cases: once), c6's child
    # (closed only). Not counted: a removed f1, and an f1 on a child merged into another.
    for child in (c1.child, c3.child, c6.child):
        ChildFlag.objects.create(child=child, flag_type=f1)
    ChildFlag.objects.create(child=c2.child, flag_type=f1, removed_at=timezone.now())
    merged = ChildFactory(merged_into=c2.child)
    ChildFlag.objects.create(child=merged, flag_type=f1)
    ChildFlag.objects.create(child=c2.child, flag_type=f2)

    # k1: twice on open c1, once on closed c3.
    for case in (c1, c1, c3):
        _enquiry(case, k1)

    # e1: one record on the register, one ended; e2: none.
    EheRecord.objects.create(
        child=ChildFactory(), source="parent_notice", start_date=date(2026, 9, 1), reason=e1
    )
    EheRecord.objects.create(
        child=ChildFactory(),
        source="parent_notice",
        start_date=date(2025, 9, 1),
        reason=e1,
        end_date=date(2026, 7, 1),
        end_reason="returned_to_school",
    )

    # Tasks: one open home-visit rule task; a done, a cancelled and a manual one do not count.
    now = timezone.now()
    Task.objects.create(case=c1, kind="home_visit", title="Home visit", due_on=TODAY, rule_key="a")
    Task.objects.create(
        case=c2, kind="home_visit", title="Home visit", due_on=TODAY, rule_key="b", done_at=now
    )
    Task.objects.create(
        case=c4, kind="home_visit", title="Home visit", due_on=TODAY, rule_key="c", cancelled_at=now
    )
    Task.objects.create(case=c4, kind="manual", title="Ring the school", due_on=TODAY)

    # Today's collection term maps r1, not r2.
    term = CollectionTerm.in_force(TODAY)
    assert term is not None
    code = CollectionCode.objects.filter(term=term, code_list=CodeList.CME_REASON).first()
    assert code is not None
    ReasonMapping.objects.create(term=term, missing_reason=r1, code=code)
    return {"r1": r1, "r2": r2, "r3": r3, "f1": f1, "f2": f2, "k1": k1, "e1": e1, "e2": e2}


def _data(user: User) -> ReferenceData:
    data = reference_data(user=user, today=TODAY)
    assert data is not None
    return data


def _row(data: ReferenceData, key: str, code: str) -> Row:
    return next(row for row in data.list(key).rows if row.code == code)


def test_reasons_count_open_cases_by_main_and_other_reason(manager: User, world: Any) -> None:
    data = _data(manager)
    assert _row(data, "reasons", "r1").counts == (3, 1)
    assert _row(data, "reasons", "r2").counts == (1, 1)
    assert _row(data, "reasons", "r3").counts == (0, 0)


def test_reasons_say_what_a_return_made_today_counts_them_as(manager: User, world: Any) -> None:
    data = _data(manager)
    mapping = ReasonMapping.objects.get(missing_reason=world["r1"])
    r1 = _row(data, "reasons", "r1")
    assert (r1.detail, r1.detail_note) == (mapping.code.dfe_code, mapping.code.label)
    assert _row(data, "reasons", "r2").detail == "Not mapped"
    assert data.term == CollectionTerm.in_force(TODAY)


def test_flags_count_children_once_and_those_on_an_open_case(manager: User, world: Any) -> None:
    data = _data(manager)
    assert _row(data, "flags", "f1").counts == (3, 2)
    assert _row(data, "flags", "f1").detail == "Yes"
    assert _row(data, "flags", "f2").counts == (1, 1)
    assert _row(data, "flags", "f2").detail == "No"


def test_checks_count_every_enquiry_and_those_on_open_cases(manager: User, world: Any) -> None:
    row = _row(_data(manager), "checks", "k1")
    assert row.counts == (3, 2)
    assert row.detail == "Local authority"


def test_ehe_reasons_count_records_on_the_register_and_ever(manager: User, world: Any) -> None:
    data = _data(manager)
    assert _row(data, "ehe-reasons", "e1").counts == (1, 2)
    assert _row(data, "ehe-reasons", "e1").dfe_code == "EHE_X"
    assert _row(data, "ehe-reasons", "e2").counts == (0, 0)


def test_every_row_of_every_list_is_shown_with_zero_when_nothing_uses_it(
    manager: User, world: Any
) -> None:
    data = _data(manager)
    assert {row.code for row in data.list("reasons").rows} == set(
        MissingReason.objects.values_list("code", flat=True)
    )
    assert {row.code for row in data.list("flags").rows} == set(
        VulnerabilityFlagType.objects.values_list("code", flat=True)
    )
    assert len(data.list("checks").rows) == EnquiryCheckType.objects.count()
    assert len(data.list("ehe-reasons").rows) == EheReason.objects.count()
    unused = _row(data, "reasons", "whereabouts-unknown")
    assert unused.counts == (0, 0)


def test_in_force_reads_the_valid_dates_against_today(manager: User, world: Any) -> None:
    data = _data(manager)
    r1, r2, r3 = (_row(data, "reasons", code) for code in ("r1", "r2", "r3"))
    assert (r1.in_force, r1.state) == (True, "Yes")
    assert (r2.in_force, r2.state) == (False, "No: ended 31 August 2025")
    assert (r3.in_force, r3.state) == (False, "Not yet: from 1 September 2027")
    # The first and last days are in force (the forms' own rule: valid_from <= today <= valid_to).
    on_first = Row(1, "x", "x", TODAY, None, TODAY, ())
    on_last = Row(1, "x", "x", None, TODAY, TODAY, ())
    assert on_first.in_force and on_last.in_force
    assert data.list("reasons").in_force == sum(1 for r in data.list("reasons").rows if r.in_force)


def test_timescales_show_the_configured_value_and_the_open_tasks_each_rule_made(
    manager: User, world: Any
) -> None:
    with override_settings(CMETRACK_TIMESCALES={"home_visit": 3}):
        data = _data(manager)
    rows = {row.name: row for row in data.timescales}
    assert (rows["home_visit"].value, rows["home_visit"].default) == (3, 5)
    assert rows["home_visit"].configured
    assert not rows["first_review"].configured
    assert rows["home_visit"].open_tasks == 1
    assert rows["first_review"].open_tasks == 0
    assert rows["new_pupil_return"].open_tasks is None
    assert data.timescales_error == ""


def test_without_a_collection_term_no_reason_is_mapped_and_the_page_says_so(
    manager: User, world: Any
) -> None:
    ReasonMapping.objects.all().delete()
    CollectionTerm.objects.all().delete()
    data = _data(manager)
    assert data.term is None
    assert {row.detail for row in data.list("reasons").rows} == {"No collection term"}
    page = client_for(manager).get(URL).content.decode()
    assert "No collection term's code lists are loaded" in page


def test_timescale_amounts_read_in_words(manager: User, world: Any) -> None:
    with override_settings(CMETRACK_TIMESCALES={"home_visit": 1}):
        rows = {row.name: row.amount for row in _data(manager).timescales}
    assert rows["home_visit"] == "1 school day"
    assert rows["untraced_review_terms"] == "1 term"
    assert rows["new_pupil_return"] == "5 calendar days"
    assert rows["enquiries_complete"] == "40 school days"


def test_every_timescale_has_its_words_on_the_page() -> None:
    # A timescale added to core.deadlines without a line in TIMESCALE_WORDS fails here.
    assert set(TIMESCALE_WORDS) == {f.name for f in fields(Timescales)}


def test_a_refused_timescale_configuration_is_said_not_a_server_error(
    manager: User, world: Any
) -> None:
    with override_settings(CMETRACK_TIMESCALES={"home_visit": -1}):
        data = _data(manager)
        response = client_for(manager).get(URL)
    assert "CMETRACK_TIMESCALES is refused" in data.timescales_error
    assert {row.name: row.value for row in data.timescales}["home_visit"] == 5
    assert response.status_code == 200
    assert "CMETRACK_TIMESCALES is refused" in response.content.decode()


def test_the_selector_gives_nothing_to_anyone_outside_the_cme_team(
    school_user: User, agency_user: User, outsider: User, ehe_officer: User, world: Any
) -> None:
    for user in (school_user, agency_user, outsider, ehe_officer):
        assert reference_data(user=user, today=TODAY) is None


@pytest.mark.parametrize("persona", ["officer", "manager", "admin_user"])
def test_the_cme_team_reads_the_page(
    persona: str, world: Any, request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Reasons a child is missing education", "Vulnerability flags", "Timescales"):
        assert heading in page
    assert "Reason r1" in page
    assert "No: ended 31 August 2025" in page


@pytest.mark.parametrize(
    "persona", ["school_user", "other_school_user", "agency_user", "outsider", "ehe_officer"]
)
def test_everyone_else_is_refused(persona: str, world: Any, request: pytest.FixtureRequest) -> None:
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_an_inactive_manager_is_not_let_in(manager: User, world: Any) -> None:
    client = client_for(manager)
    User.objects.filter(pk=manager.pk).update(is_active=False)
    response = client.get(URL)
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_an_administrator_gets_a_change_link_for_each_row_in_admin(
    admin_user: User, world: Any
) -> None:
    page = client_for(admin_user).get(URL).content.decode()
    check = EnquiryCheckType.objects.order_by("pk").first()
    assert check is not None
    for name, obj in [
        ("cases_missingreason", world["r1"]),
        ("children_vulnerabilityflagtype", world["f1"]),
        ("ehe_ehereason", world["e1"]),
        ("cases_enquirychecktype", check),
    ]:
        assert f'href="{reverse(f"admin:{name}_change", args=[obj.pk])}"' in page
        assert f'href="{reverse(f"admin:{name}_changelist")}"' in page
    assert "This list is not in Django admin yet" not in page


def test_a_manager_gets_no_admin_links(manager: User, world: Any) -> None:
    page = client_for(manager).get(URL).content.decode()
    assert "/admin/" not in page
    assert reverse("admin:cases_missingreason_change", args=[world["r1"].pk]) not in page


def test_a_managers_navigation_links_the_page(manager: User, officer: User, world: Any) -> None:
    assert f'href="{URL}"' in client_for(manager).get(reverse("cases:dashboard")).content.decode()
    assert (
        f'href="{URL}"' not in client_for(officer).get(reverse("cases:dashboard")).content.decode()
    )


def test_labels_are_escaped_and_query_strings_change_nothing(manager: User, world: Any) -> None:
    MissingReason.objects.create(code="hostile", label='<script>alert("x")</script>')
    client = client_for(manager)
    plain = client.get(URL).content.decode()
    assert '<script>alert("x")</script>' not in plain
    assert "&lt;script&gt;" in plain
    odd = client.get(URL, {"today": "2999-01-01", "user": "1' OR 1=1", "x": "\x00"})
    assert odd.status_code == 200


def test_a_post_changes_nothing(manager: User, world: Any) -> None:
    before = MissingReason.objects.count(), MissingReason.objects.filter(code="r1").values().get()
    response = client_for(manager).post(URL, {"label": "Renamed", "valid_to": "2020-01-01"})
    assert response.status_code == 200
    after = MissingReason.objects.count(), MissingReason.objects.filter(code="r1").values().get()
    assert before == after


def _grow(n: int) -> None:
    """n more of everything the page counts: reference rows, cases, flags, enquiries, records."""
    check = EnquiryCheckType.objects.create(code=f"grow-check-{n}", label="More", side="school")
    flag = VulnerabilityFlagType.objects.create(code=f"grow-flag-{n}", label="More")
    ehe = EheReason.objects.create(code=f"grow-ehe-{n}", label="More")
    for i in range(n):
        reason = _reason(f"grow-{n}-{i}")
        case = CaseFactory(primary_reason=reason)
        case.secondary_reasons.add(MissingReason.objects.get(code="r1"))
        ChildFlag.objects.create(child=case.child, flag_type=flag)
        _enquiry(case, check)
        EheRecord.objects.create(
            child=ChildFactory(), source="other", start_date=date(2026, 9, 1), reason=ehe
        )
        Task.objects.create(
            case=case, kind="first_review", title="Review", due_on=TODAY, rule_key=f"g{n}{i}"
        )


def _queries(run: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_the_query_count_does_not_grow_with_rows(
    manager: User, admin_user: User, world: Any, django_assert_max_num_queries: Any
) -> None:
    def selector() -> None:
        reference_data(user=manager, today=TODAY)

    small = _queries(selector)
    client = client_for(admin_user)
    page_small = _queries(lambda: client.get(URL))
    _grow(12)
    with django_assert_max_num_queries(small):
        selector()
    with django_assert_max_num_queries(page_small):
        response = client.get(URL)
    assert _row(_data(manager), "reasons", "r1").counts == (3, 13)
    assert response.status_code == 200
    assert small <= 12


def test_the_page_dates_in_force_by_the_local_day(manager: User, world: Any) -> None:
    # 23:30 UTC on 31 August 2025 is already 1 September in London: r2 (to 31 August) has ended.
    with time_machine.travel(datetime(2025, 8, 31, 23, 30, tzinfo=UTC), tick=False):
        page = client_for(manager).get(URL).content.decode()
    assert "No: ended 31 August 2025" in page
    with time_machine.travel(datetime(2025, 8, 31, 22, 30, tzinfo=UTC), tick=False):
        page = client_for(manager).get(URL).content.decode()
    assert "No: ended 31 August 2025" not in page
