"""Two officers adding the same flag at once: one flag, and the other told "already has the
flag", never a server error (issue 11: eight simultaneous adds gave 500s on PostgreSQL).

The race is made deterministic: the second add's "is it there already?" check is made to miss
the first add (as it does when both run at once), so only the database constraint stands in
the way.
"""

from __future__ import annotations

import pytest
from django.db.models import QuerySet

from cmetrack.accounts.models import User
from cmetrack.cases.services import CaseError, case_flag_add
from cmetrack.children.models import ChildFlag
from cmetrack.testing.factories import CaseFactory, flag_type

pytestmark = pytest.mark.django_db


def test_an_add_that_loses_the_race_is_told_the_flag_is_there(
    officer: User, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CaseFactory()
    young_carer = flag_type("young-carer")
    case_flag_add(case=case, flag_type=young_carer, by=officer)

    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # the check ran too early
    with pytest.raises(CaseError, match="already has the flag"):
        case_flag_add(case=case, flag_type=young_carer, by=manager)
    monkeypatch.undo()

    assert ChildFlag.objects.filter(child=case.child, flag_type=young_carer).count() == 1
    # The case is still usable in the same request: the failed insert was only a savepoint.
    assert case.events.count() >= 1
