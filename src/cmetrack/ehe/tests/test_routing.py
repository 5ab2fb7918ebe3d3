"""A ground (f) deletion return, routed as triage routes it today, puts the child on the EHE
register from the deletion date."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cmetrack.accounts.models import Organisation, User
from cmetrack.children.models import Child
from cmetrack.children.services import child_flag_add
from cmetrack.ehe.models import EheRecord, Source
from cmetrack.referrals.models import DeletionReturn, SharedStatus, TriageState
from cmetrack.referrals.services import ChildParticulars, DeletionData, deletion_return_submit
from cmetrack.referrals.services.triage import submission_apply_route
from cmetrack.testing.factories import ChildFactory, flag_type

pytestmark = pytest.mark.django_db


def _return(school_user: User, ground: str = "f", **child: object) -> DeletionReturn:
    org = school_user.organisation
    assert isinstance(org, Organisation) and org.school is not None
    particulars = {
        "forenames": "Hana",
        "surname": "Homeward",
        "date_of_birth": date(2014, 6, 2),
        "sex": "F",
        "address_line_1": "1 Example Road",
        "town": "Bootle",
        "postcode": "L20 7AE",
    }
    particulars.update(child)
    data = DeletionData(
        child=ChildParticulars(**particulars),  # type: ignore[arg-type]
        school=org.school,
        ground=ground,
        deletion_date=timezone.localdate() - timedelta(days=2),
        emergency_phone="07700 900123",
        parent_names="Jo Homeward",
    )
    return deletion_return_submit(data=data, by=school_user)


def test_a_ground_f_return_routed_to_ehe_creates_the_record(
    school_user: User, officer: User
) -> None:
    ret = _return(school_user)
    submission_apply_route(submission=ret, by=officer)
    record = EheRecord.objects.get()
    assert record.source == Source.DELETION_RETURN
    assert record.source_reference == ret.reference
    assert record.start_date == ret.deletion_date
    assert record.child.full_name == "Hana Homeward"
    assert record.child.contacts.get().name == "Jo Homeward"
    ret.refresh_from_db()
    assert ret.triage_state == TriageState.TRIAGED
    assert ret.shared_status == SharedStatus.PASSED_TO_EHE
    assert record.reference in ret.triage_note


def test_a_second_ground_f_return_for_the_same_child_keeps_one_record(
    school_user: User, officer: User
) -> None:
    submission_apply_route(submission=_return(school_user), by=officer)
    submission_apply_route(submission=_return(school_user), by=officer)
    assert EheRecord.objects.count() == 1
    assert Child.objects.count() == 1


def test_a_return_on_another_ground_makes_no_ehe_record(school_user: User, officer: User) -> None:
    submission_apply_route(submission=_return(school_user, ground="g"), by=officer)
    assert not EheRecord.objects.exists()


def test_a_known_child_with_a_child_protection_plan_is_flagged_to_a_manager(
    school_user: User, officer: User
) -> None:
    child = ChildFactory(forenames="Hana", surname="Homeward", date_of_birth=date(2014, 6, 2))
    child_flag_add(child=child, flag_type=flag_type("child-protection-plan"), by=officer)
    submission_apply_route(submission=_return(school_user), by=officer)
    record = EheRecord.objects.get()
    assert record.child == child
    assert record.alert_open
