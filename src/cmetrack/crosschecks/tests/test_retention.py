"""Rolls and cross-check runs are deleted by the daily retention job once past the retention
period (CMETRACK_ROLL_RETENTION_DAYS), files included; newer ones, and referrals made from a
candidate, stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from cmetrack.accounts.models import User
from cmetrack.crosschecks.kinds import CheckKind
from cmetrack.crosschecks.models import CrossCheckCandidate, CrossCheckRun
from cmetrack.crosschecks.services import (
    CheckRequest,
    candidate_refer,
    crosscheck_runs_delete_old,
    crosscheck_start,
)
from cmetrack.operations.jobs import job_named
from cmetrack.referrals.models import CmeReferral
from cmetrack.rolls.models import RollEntry, RollLoad
from cmetrack.rolls.services import roll_load, roll_loads_delete_old
from cmetrack.testing.factories import SchoolFactory
from cmetrack.testing.roll_files import census_csv, mis_csv, roll_pupil

from .helpers import today

pytestmark = pytest.mark.django_db


@override_settings(CMETRACK_ROLL_RETENTION_DAYS=100)
def test_old_loads_and_runs_go_with_their_files_and_new_ones_stay(
    officer: User, django_capture_on_commit_callbacks: object
) -> None:
    school = SchoolFactory()
    old = roll_load(
        content=census_csv([roll_pupil(school_urn=school.urn, school_laestab="")]),
        filename="old.csv",
        by=officer,
        as_of=today() - timedelta(days=101),
    )
    new = roll_load(
        content=census_csv(
            [roll_pupil(school_urn=school.urn, school_laestab="", upn="", surname="Newer")]
        ),
        filename="new.csv",
        by=officer,
        as_of=today() - timedelta(days=99),
    )
    run = crosscheck_start(
        request=CheckRequest(
            kind=CheckKind.KNOWN_TO_SERVICES,
            check_on=today(),
            list_content=mis_csv(
                [roll_pupil(forename="Kacper", surname="Wisniewski", upn="")], school_columns=False
            ),
            list_name="housing.csv",
            list_source="Housing",
        ),
        by=officer,
    )
    referral = candidate_refer(candidate=run.candidates.get(), by=officer)
    CrossCheckRun.objects.filter(pk=run.pk).update(created_at=run.created_at - timedelta(days=101))
    old_file, list_file = old.file.name, CrossCheckRun.objects.get(pk=run.pk).list_file.name
    assert default_storage.exists(old_file) and default_storage.exists(list_file)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        summary = job_named("retention").run()
    assert "1 school roll load(s)" in summary and "1 cross-check run(s)" in summary
    assert list(RollLoad.objects.all()) == [new]
    assert set(RollEntry.objects.values_list("surname", flat=True)) == {"Newer"}
    assert not CrossCheckRun.objects.exists() and not CrossCheckCandidate.objects.exists()
    assert not default_storage.exists(old_file) and not default_storage.exists(list_file)
    assert CmeReferral.objects.filter(pk=referral.pk).exists()
    assert roll_loads_delete_old() == 0 and crosscheck_runs_delete_old() == 0  # again: nothing
