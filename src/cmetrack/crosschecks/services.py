"""Writes of the cross-checks: start (or re-run) a check, run it on the worker, dismiss a
candidate with a reason (remembered by the child's identity for the next run), reopen it, or
turn it into a CME referral in one step. The CME team only; every write is audited."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cmetrack.accounts.access import can_work_cases
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.cases.models import MissingReason, ReferralSource
from cmetrack.referrals.models import CmeReferral
from cmetrack.referrals.particulars import ChildParticulars
from cmetrack.referrals.services.errors import IntakeError
from cmetrack.referrals.services.referral import ActionData, CmeReferralData, cme_referral_submit
from cmetrack.rolls.reading import RollFormat
from cmetrack.rolls.services import RollRefused, roll_read
from cmetrack.schools.models import School

from . import checks
from .kinds import KINDS, CheckKind
from .linking import Finding
from .models import (
    CandidateState,
    CrossCheckCandidate,
    CrossCheckDismissal,
    CrossCheckRun,
    RunState,
)

log = logging.getLogger(__name__)

LIST_MAX_BYTES = 20_000_000
_CANDIDATE_BATCH = 1000


class CrossCheckRefused(Exception):
    """Nothing was written; the message says why."""


def _require_team(by: User) -> None:
    if not can_work_cases(by):
        raise CrossCheckRefused("Cross-checks are for the local authority's CME team.")


@dataclass(frozen=True)
class CheckRequest:
    kind: CheckKind
    check_on: date
    leavers_on: date | None = None  # transition
    year_groups: tuple[str, ...] = ()  # transition; empty: the top year of each school
    by_date: date | None = None  # starting school
    list_content: bytes = b""  # starting school, known to services
    list_name: str = ""
    list_source: str = ""


def request_problems(req: CheckRequest, *, today: date) -> dict[str, str]:
    """The one check of what a run is asked, for the form and the service: field -> message."""
    problems: dict[str, str] = {}
    if req.check_on > today:
        problems["check_on"] = "The date to check must be today or in the past"
    if req.kind == CheckKind.TRANSITION:
        if req.leavers_on is None:
            problems["leavers_on"] = "Enter the date of last summer's rolls"
        elif req.leavers_on >= req.check_on:
            problems["leavers_on"] = "The leavers' date must be before the date to check"
    if req.kind == CheckKind.STARTING_SCHOOL and req.by_date is None:
        problems["by_date"] = "Enter the date by which the children reach school age"
    if KINDS[req.kind].needs_list:
        if not req.list_content:
            problems["list_file"] = "Choose the list of children to check"
        if not req.list_source.strip():
            problems["list_source"] = "Say where the list came from"
    return problems


def _subjects_from_list(content: bytes, name: str) -> list[dict[str, Any]]:
    """The uploaded list read with the roll reader (a list is laid out as a MIS export is:
    names, date of birth, address), each child as plain values."""
    try:
        parsed = roll_read(content, filename=name, format=RollFormat.MIS)
    except RollRefused as error:
        raise CrossCheckRefused(str(error)) from error
    if not parsed.pupils:
        raise CrossCheckRefused("The list names no children")
    return [
        {
            "row": p.position,
            "forenames": " ".join(x for x in (p.forename, p.middle_names) if x),
            "surname": p.surname,
            "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else "",
            "sex": p.sex,
            "upn": p.upn,
            "postcode": p.postcode,
            "address": p.address,
        }
        for p in parsed.pupils
    ]


def _parameters(req: CheckRequest) -> dict[str, Any]:
    return {
        "check_on": req.check_on.isoformat(),
        "leavers_on": req.leavers_on.isoformat() if req.leavers_on else "",
        "year_groups": list(req.year_groups),
        "by_date": req.by_date.isoformat() if req.by_date else "",
    }


def _enqueue(run: CrossCheckRun) -> None:
    from .tasks import run_crosscheck  # the tasks module imports this one

    # After the run's row is committed: a worker (or, in development, the immediate backend
    # running it here) must find it.
    run_crosscheck.enqueue(run.pk)


def crosscheck_start(*, request: CheckRequest, by: User) -> CrossCheckRun:
    _require_team(by)
    problems = request_problems(request, today=timezone.localdate())
    if problems:
        raise CrossCheckRefused(next(iter(problems.values())))
    subjects = (
        _subjects_from_list(request.list_content, request.list_name)
        if KINDS[request.kind].needs_list
        else []
    )
    with transaction.atomic(), acting_as(by):
        run = CrossCheckRun(
            kind=request.kind.value,
            parameters=_parameters(request),
            list_name=request.list_name[:255],
            list_source=request.list_source.strip()[:100],
            started_by=by,
            subjects=subjects,
        )
        if request.list_content:
            run.list_file.save(run.public_id.hex, ContentFile(request.list_content), save=False)
        run.save()
    _enqueue(run)
    return run


def crosscheck_rerun(*, run: CrossCheckRun, by: User) -> CrossCheckRun:
    """The same check asked again, with the same dates and list, as a new run: the candidates
    dismissed since are shown as dismissed before."""
    _require_team(by)
    if run.state in (RunState.QUEUED, RunState.RUNNING):
        raise CrossCheckRefused("This check is still running: wait for it to finish")
    with transaction.atomic(), acting_as(by):
        again = CrossCheckRun(
            kind=run.kind,
            parameters=run.parameters,
            list_name=run.list_name,
            list_source=run.list_source,
            list_file=run.list_file.name if run.list_file else "",
            subjects=run.subjects,
            rerun_of=run,
            started_by=by,
        )
        again.save()
    _enqueue(again)
    return again


def _on(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _outcome(run: CrossCheckRun) -> checks.Outcome:
    p = run.parameters
    check_on = date.fromisoformat(p["check_on"])

    def progress(done: int, total: int, step: str) -> None:
        CrossCheckRun.objects.filter(pk=run.pk).update(
            progress_done=done, progress_total=total, progress_step=step[:200]
        )

    kind = CheckKind(run.kind)
    if kind == CheckKind.TRANSITION:
        leavers_on = _on(p["leavers_on"])
        assert leavers_on is not None
        return checks.transition(
            leavers_on=leavers_on,
            check_on=check_on,
            year_groups=p.get("year_groups") or None,
            progress=progress,
        )
    if kind == CheckKind.STARTING_SCHOOL:
        by_date = _on(p["by_date"])
        assert by_date is not None
        return checks.starting_school(
            subjects=run.subjects,
            source=run.list_source,
            check_on=check_on,
            by_date=by_date,
            progress=progress,
        )
    if kind == CheckKind.KNOWN_TO_SERVICES:
        return checks.known_to_services(
            subjects=run.subjects, source=run.list_source, check_on=check_on, progress=progress
        )
    return checks.repeated_moves(check_on=check_on, progress=progress)


def _nearest(finding: Finding | None) -> dict[str, Any] | None:
    if finding is None or finding.nearest is None or finding.explanation is None:
        return None
    return {
        "name": finding.nearest.name,
        "where": finding.nearest.where,
        "percent": finding.percent,
        "lines": finding.explanation.lines,
    }


def _candidates(run: CrossCheckRun, outcome: checks.Outcome) -> list[CrossCheckCandidate]:
    schools = {
        s.urn: s
        for s in School.objects.filter(
            urn__in={c.person.school_urn for c in outcome.candidates if c.person.school_urn}
        )
    }
    remembered = {
        d.identity: d
        for d in CrossCheckDismissal.objects.filter(
            kind=run.kind, identity__in={c.person.identity for c in outcome.candidates}
        )
    }
    made = []
    for c in outcome.candidates:
        p = c.person
        before = remembered.get(p.identity)
        made.append(
            CrossCheckCandidate(
                run=run,
                identity=p.identity[:200],
                forenames=p.forenames[:100],
                surname=p.surname[:100],
                date_of_birth=p.date_of_birth,
                sex=p.sex[:1],
                upn=p.upn[:13],
                postcode=p.postcode[:10],
                address=p.address[:300],
                last_school=schools.get(p.school_urn),
                explanation={"where": p.where, "why": c.why, "nearest": _nearest(c.finding)},
                state=CandidateState.DISMISSED_BEFORE if before else CandidateState.OPEN,
                dismissed_reason=before.reason if before else "",
                dismissed_by=before.dismissed_by if before else None,
                dismissed_at=before.dismissed_at if before else None,
            )
        )
    return made


def crosscheck_execute(*, run_id: int) -> None:
    """The worker's part (tasks.run_crosscheck): safe to run again or twice at once, since only
    the one that moves the run from queued to running does anything."""
    claimed = CrossCheckRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=timezone.now(), progress_done=0
    )
    if not claimed:
        return
    run = CrossCheckRun.objects.select_related("started_by").get(pk=run_id)
    try:
        outcome = _outcome(run)
        with transaction.atomic(), acting_as(run.started_by):
            made = _candidates(run, outcome)
            CrossCheckCandidate.objects.bulk_create(made, batch_size=_CANDIDATE_BATCH)
            run.refresh_from_db(fields=["progress_done", "progress_total", "progress_step"])
            run.state = RunState.DONE
            run.finished_at = timezone.now()
            run.summary = {
                **outcome.summary,
                "candidates": sum(1 for c in made if c.state == CandidateState.OPEN),
                "dismissed_before": sum(
                    1 for c in made if c.state == CandidateState.DISMISSED_BEFORE
                ),
            }
            run.save()
    except Exception as error:  # a run that stops says so on its page, and in the log
        log.exception("cross-check run %s failed", run.pk)
        CrossCheckRun.objects.filter(pk=run.pk).update(
            state=RunState.FAILED,
            finished_at=timezone.now(),
            error=f"The check stopped on an unexpected error ({type(error).__name__}).",
        )


def candidate_dismiss(*, candidate: CrossCheckCandidate, reason: str, by: User) -> None:
    _require_team(by)
    if not reason.strip():
        raise CrossCheckRefused("Say why this child is not missing education")
    with transaction.atomic(), acting_as(by):
        locked = CrossCheckCandidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.state != CandidateState.OPEN:
            raise CrossCheckRefused(_not_open(locked))
        locked.state = CandidateState.DISMISSED
        locked.dismissed_reason = reason.strip()
        locked.dismissed_by = by
        locked.dismissed_at = timezone.now()
        locked.save()
        CrossCheckDismissal.objects.update_or_create(
            kind=locked.run.kind,
            identity=locked.identity,
            defaults={
                "reason": locked.dismissed_reason,
                "dismissed_by": by,
                "dismissed_at": locked.dismissed_at,
                "candidate": locked,
            },
        )


def candidate_reopen(*, candidate: CrossCheckCandidate, by: User) -> None:
    """Undo a dismissal (this run's or an earlier one's): the child is a candidate again, and
    the next run will not remember the dismissal."""
    _require_team(by)
    with transaction.atomic(), acting_as(by):
        locked = CrossCheckCandidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.state not in (CandidateState.DISMISSED, CandidateState.DISMISSED_BEFORE):
            raise CrossCheckRefused("Only a dismissed candidate can be reopened")
        locked.state = CandidateState.OPEN
        locked.dismissed_reason = ""
        locked.dismissed_by = None
        locked.dismissed_at = None
        locked.save()
        for memory in CrossCheckDismissal.objects.filter(
            kind=locked.run.kind, identity=locked.identity
        ):
            memory.delete()


def _not_open(candidate: CrossCheckCandidate) -> str:
    if candidate.state == CandidateState.REFERRED:
        return "This child has been referred already"
    return "This candidate was dismissed already"


def referral_data(candidate: CrossCheckCandidate, *, by: User) -> CmeReferralData:
    """The referral a candidate becomes: the child as the check found them, the reason its
    kind suggests, "data cross-check" as the source, and what the check found as the action
    taken before the referral."""
    run = candidate.run
    info = KINDS[CheckKind(run.kind)]
    why = " ".join(candidate.explanation.get("why", []))
    return CmeReferralData(
        child=ChildParticulars(
            forenames=candidate.forenames,
            surname=candidate.surname,
            date_of_birth=candidate.date_of_birth,
            sex=candidate.sex or "U",
            upn=candidate.upn,
            postcode=candidate.postcode,
            address_line_1=candidate.address[:100],
        ),
        referrer_name=by.get_full_name() or by.get_username(),
        referrer_role="CME team: found by cross-check",
        primary_reason=MissingReason.objects.filter(code=info.reason_code).first(),
        referral_source=ReferralSource.DATA_CHECK,
        last_school=candidate.last_school,
        actions=[
            ActionData(
                done_on=timezone.localdate(run.created_at),
                action=f"Found by the {info.title.lower()} cross-check"[:300],
                outcome=why[:300],
            )
        ],
    )


def candidate_refer(*, candidate: CrossCheckCandidate, by: User) -> CmeReferral:
    """One step: the referral lands in the incoming queue like any other, and the candidate
    links to it. Two officers pressing at once make one referral (the row is locked)."""
    _require_team(by)
    with transaction.atomic():
        locked = (
            # Only the candidate's row is locked: PostgreSQL refuses FOR UPDATE on the nullable
            # side of the outer join to the last school.
            CrossCheckCandidate.objects.select_for_update(of=("self",))
            .select_related("run", "last_school")
            .get(pk=candidate.pk)
        )
        if locked.state != CandidateState.OPEN:
            raise CrossCheckRefused(_not_open(locked))
        try:
            referral = cme_referral_submit(data=referral_data(locked, by=by), by=by)
        except IntakeError as error:
            raise CrossCheckRefused(f"The referral could not be made: {error}") from error
        with acting_as(by):
            locked.state = CandidateState.REFERRED
            locked.referral = referral
            locked.save()
    return referral


def crosscheck_runs_delete_old(*, today: date | None = None) -> int:
    """The retention job's part: delete runs (their list file, candidates and subjects) made
    more than CMETRACK_ROLL_RETENTION_DAYS ago, as the rolls they read are. A referral made
    from a candidate keeps its own copy; a dismissal's memory goes with its last run."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.CMETRACK_ROLL_RETENTION_DAYS)
    deleted = 0
    for run in CrossCheckRun.objects.filter(created_at__date__lt=cutoff).only("pk", "list_file"):
        with transaction.atomic():
            name = run.list_file.name if run.list_file else ""
            shared = bool(name) and CrossCheckRun.objects.filter(list_file=name).count() > 1
            if CrossCheckRun.objects.filter(pk=run.pk).delete()[0]:
                deleted += 1
                if name and not shared:
                    transaction.on_commit(functools.partial(run.list_file.storage.delete, name))
    CrossCheckDismissal.objects.filter(dismissed_at__date__lt=cutoff, candidate=None).delete()
    return deleted
