"""No input to the merge or "not the same child" forms gives a 500 (issue 9): hostile values in
the radio answers and the reason are a page with errors or a redirect, and a refused merge
writes nothing. See `cmetrack.testing.hostile`."""

from datetime import date

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for
from cmetrack.testing.factories import AddressFactory, CaseFactory, ChildFactory
from cmetrack.testing.hostile import NEVER_500, hostile_post, posted_safely, undone


def test_the_merge_forms_never_fail(officer: User) -> None:
    amelia = ChildFactory(forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4))
    millie = ChildFactory(forenames="Millie", surname="Smith", date_of_birth=date(2015, 4, 3))
    for child in (amelia, millie):
        AddressFactory(child=child, postcode="L20 7AE")
    CaseFactory(child=millie)
    client = client_for(officer)
    pages = [
        (
            reverse("matching:merge", args=[millie.public_id, amelia.public_id]),
            {"forenames": "target", "date_of_birth": "source"},
        ),
        (
            reverse("matching:not-the-same", args=[millie.public_id, amelia.public_id]),
            {"reason": "Different mothers"},
        ),
    ]

    @NEVER_500
    @given(page=st.sampled_from(range(len(pages))), data=st.data())
    def check(page: int, data: st.DataObject) -> None:
        url, valid = pages[page]
        with undone():
            posted_safely(client, url, data.draw(hostile_post(valid)))

    check()
