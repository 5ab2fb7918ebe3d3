"""The outbox in the admin is for looking up, never for editing."""

from __future__ import annotations

import pytest

from cmetrack.accounts.models import User
from cmetrack.conftest import client_for

from .helpers import recorded


@pytest.mark.django_db
def test_administrators_can_list_and_read_the_outbox_but_not_change_it(admin_user: User) -> None:
    email = recorded(reference="DEL-00042")
    client = client_for(admin_user)
    listing = client.get("/admin/notifications/outboundemail/")
    assert listing.status_code == 200 and "DEL-00042" in listing.content.decode()
    assert client.get(f"/admin/notifications/outboundemail/{email.pk}/change/").status_code == 200
    assert client.get("/admin/notifications/outboundemail/add/").status_code == 403
    delete = client.post(f"/admin/notifications/outboundemail/{email.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403 and email.__class__.objects.filter(pk=email.pk).exists()
