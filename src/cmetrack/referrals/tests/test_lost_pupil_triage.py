"""A lost-pupil CTF (destination unknown, no ground) becomes, in one step at triage, a CME
enquiry whose whereabouts are unknown (issue 9, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmetrack.accounts.models import User
from cmetrack.children.models import Address
from cmetrack.referrals.imports import import_commit, import_upload
from cmetrack.referrals.models import DeletionReturn
from cmetrack.referrals.services import submission_apply_route
from cmetrack.testing.factories import SchoolFactory

LOST = Path(__file__).parents[1] / "importing" / "tests" / "data" / "ctf_lost_pupil.xml"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("destination", [(b"XXX", b"XXXX"), (b"MMM", b"MMMM")])
def test_a_lost_pupil_ctf_is_imported_then_opens_a_whereabouts_unknown_case_in_one_step(
    destination: tuple[bytes, bytes], officer: User
) -> None:
    SchoolFactory(urn="104512")
    lea, estab = destination
    data = LOST_BYTES.replace(b"<LEA>XXX<", b"<LEA>" + lea + b"<").replace(
        b"<Estab>XXXX<", b"<Estab>" + estab + b"<"
    )
    batch, preview = import_upload(data=data, filename="lost.xml", by=officer)
    assert preview is not None and not preview.errors
    import_commit(batch=batch, valid_only=False, by=officer)

    (notice,) = DeletionReturn.objects.all()
    assert notice.ground == "" and notice.ground_info.label == "Ground not stated"
    assert any("No ground" in text for _field, text in notice.intake_warnings)

    submission_apply_route(submission=notice, by=officer)

    notice.refresh_from_db()
    assert notice.case is not None
    case = notice.case
    assert case.primary_reason.code == "whereabouts-unknown"
    address = case.child.current_address
    assert address is not None and address.state == Address.State.UNKNOWN


LOST_BYTES = LOST.read_bytes()
