"""The world the permission matrix (test_permission_matrix.py) asks its questions in.

One realistic authority, built once for the module through the real services: the CME team
(officer, manager, administrator), its EHE officer, two schools, two agencies and another
authority (Wirral), each with one user (the personas of src/cmetrack/conftest.py, made the same
way; the EHE officer as in src/cmetrack/ehe/tests/conftest.py); a case with a task, a flag and
the escalation it raised, and an enquiry; a second case with a closure request waiting for a
manager; a deletion return from each school, a referral from the first agency and a
notification from Wirral; a hand-over to Wirral and one to Knowsley, each on its own case; an
import batch uploaded by the first school and one by the CME team; a register migration the
team uploaded; two children for the merge pages; a child on the EHE register with a child
protection plan (so its record carries the alert for a manager); a set-up link and a password
reset link for two users who are no persona.

`world_state()` is what a refused request must leave unchanged: counts of the audit log, the
timeline and every table a page could add to, and the state of each record a page could move on.
The world's own (`World.start`) is where every check begins.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cmetrack.accounts.models import EnrolmentInvite, Organisation, User
from cmetrack.accounts.services import enrolment_invite_issue
from cmetrack.attachments.models import Attachment, EvidenceType
from cmetrack.attachments.services import attachment_add
from cmetrack.cases.models import (
    Case,
    CaseEvent,
    ClosureRequest,
    EnquiryCheck,
    EnquiryCheckType,
    Escalation,
    Task,
)
from cmetrack.cases.services import case_flag_add, closure_request, enquiry_record, task_create
from cmetrack.cases.status import Status
from cmetrack.children.models import Child, ChildFlag
from cmetrack.children.services import child_flag_add
from cmetrack.crosschecks.kinds import CheckKind
from cmetrack.crosschecks.models import (
    CrossCheckCandidate,
    CrossCheckDismissal,
    CrossCheckRun,
)
from cmetrack.crosschecks.services import CheckRequest, crosscheck_start
from cmetrack.ehe.models import EheRecord, EheReview, Source
from cmetrack.ehe.services import EheStart, ehe_record_open
from cmetrack.letters.models import Letter, LetterTemplate, TemplateVersion
from cmetrack.letters.services import letter_produce
from cmetrack.matching.models import NonMatch
from cmetrack.publicinfo.models import InformationPage, PublishedDocument
from cmetrack.publicinfo.services import published_document_add
from cmetrack.referrals.importing.rows import TEMPLATE_COLUMNS
from cmetrack.referrals.imports import import_upload
from cmetrack.referrals.models import (
    ImportBatch,
    Nature,
    OtherLaNotification,
    Submission,
    TriageState,
)
from cmetrack.referrals.services import (
    ChildParticulars,
    CmeReferralData,
    DeletionData,
    OtherLaData,
    cme_referral_submit,
    deletion_return_submit,
    handover_send,
    other_la_notification_submit,
)
from cmetrack.register_import.models import MigratedRow, RegisterMigration
from cmetrack.register_import.services import migration_upload
from cmetrack.rolls.models import RollEntry, RollLoad
from cmetrack.rolls.services import roll_load
from cmetrack.testing.factories import (
    AddressFactory,
    CaseFactory,
    ChildFactory,
    OrganisationFactory,
    SchoolFactory,
    UserFactory,
    flag_type,
    reason,
)
from cmetrack.testing.roll_files import census_csv, mis_csv, roll_pupil

ANONYMOUS = "anonymous"

# Every persona the matrix has a column for, in the matrix's column order. Adding a role is one
# column: its name here, a builder in `_personas`, and one more answer on every row of the matrix.
PERSONAS: tuple[str, ...] = (
    "officer",
    "manager",
    "admin_user",
    "school_user",
    "other_school_user",
    "agency_user",
    "other_agency_user",
    "outsider",
    "ehe_officer",
    ANONYMOUS,
)

FLAG_CODE = "child-protection-plan"  # escalates: the flag raises the case's escalation


@dataclass(frozen=True)
class World:
    """The users by persona (no entry for anonymous) and the values URLs are built from."""

    users: dict[str, User]
    values: dict[str, str]
    # Primary keys of the records whose state `world_state` reads.
    pks: dict[str, int]
    # A signed-in session per persona, made once: a check sends its cookie (cheaper than
    # signing in for every check; what a request does to the session is rolled back with it).
    sessions: dict[str, str]
    # `world_state` once built: every check starts from it (each one's writes are rolled back).
    start: tuple[object, ...] = ()


def _school_user(username: str) -> User:
    school = SchoolFactory()
    org = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name=school.name, school=school)
    return UserFactory(username=username, role=User.Role.SCHOOL_USER, organisation=org)


def _personas() -> dict[str, User]:
    """The same users as src/cmetrack/conftest.py's fixtures (which this directory cannot see)."""
    la_team = OrganisationFactory(kind=Organisation.Kind.LA_TEAM, name="Sefton CME team")
    health = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Health visiting")
    youth = OrganisationFactory(kind=Organisation.Kind.AGENCY, name="Youth justice service")
    wirral = OrganisationFactory(kind=Organisation.Kind.OTHER_LA, name="Wirral", la_code="344")
    return {
        "officer": UserFactory(
            username="officer", role=User.Role.CME_OFFICER, organisation=la_team
        ),
        "manager": UserFactory(
            username="manager", role=User.Role.CME_MANAGER, organisation=la_team
        ),
        "admin_user": UserFactory(username="admin", role=User.Role.ADMIN, organisation=la_team),
        "school_user": _school_user("school"),
        "other_school_user": _school_user("other-school"),
        "agency_user": UserFactory(
            username="agency", role=User.Role.AGENCY_USER, organisation=health
        ),
        "other_agency_user": UserFactory(
            username="other-agency", role=User.Role.AGENCY_USER, organisation=youth
        ),
        "outsider": UserFactory(
            username="outsider", role=User.Role.OTHER_LA_USER, organisation=wirral
        ),
        # The authority's EHE team sits in its LA team organisation (accounts.models).
        "ehe_officer": UserFactory(
            username="ehe-officer", role=User.Role.EHE_OFFICER, organisation=la_team
        ),
    }


def _school_of(user: User) -> Any:
    assert user.organisation is not None and user.organisation.school is not None
    return user.organisation.school


def _child(forenames: str, surname: str, born: date) -> ChildParticulars:
    return ChildParticulars(
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        sex="F",
        address_line_1="1 Example Road",
        town="Bootle",
        postcode="L20 7AE",
    )


def _deletion(user: User, child: ChildParticulars, ground: str) -> Submission:
    data = DeletionData(
        child=child,
        school=_school_of(user),
        ground=ground,
        deletion_date=timezone.localdate() + timedelta(days=1),
        emergency_phone="07700 900123",
        parent_names="Jo Example",
    )
    return deletion_return_submit(data=data, by=user)


def _register_csv() -> bytes:
    """An authority's old CME register, one case."""
    return (
        b"Case ID,Child Name,DOB,Date Referred,Reason,Status\n"
        b'C-1,"OKAFOR, Grace",03/04/2014,06/10/2025,Whereabouts unknown,Open\n'
    )


def _returns_csv(urn: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerow(
        {
            "return_type": "deletion",
            "school_urn": urn,
            "surname": "Imported",
            "forename": "Isla",
            "date_of_birth": "2015-04-12",
            "sex": "F",
            "address_line_1": "2 Acacia Avenue",
            "town": "Bootle",
            "postcode": "L20 7AE",
            "parent_name": "Sam Imported",
            "parent_phone": "07700 900123",
            "ground": "f",
            "deletion_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        }
    )
    return out.getvalue().encode()


def build_world() -> World:
    users = _personas()
    agency_org = users["agency_user"].organisation
    assert agency_org is not None
    officer, school_user = users["officer"], users["school_user"]
    today = timezone.localdate()

    # The case: a task, an escalating flag (which raises the escalation) and an enquiry.
    case = CaseFactory(
        status=Status.ENQUIRIES, child__forenames="Amelia", child__surname="Casework"
    )
    task = task_create(
        case=case,
        title="Ring the family",
        due_on=today + timedelta(days=3),
        assigned_to=officer,
        by=officer,
    )
    case_flag_add(case=case, flag_type=flag_type(FLAG_CODE), by=officer)
    escalation = case.escalations.get()
    check_type = EnquiryCheckType.objects.order_by("pk").first()
    assert check_type is not None
    enquiry_record(
        case=case,
        check_type=check_type,
        done_on=today,
        done_by_name="Pat Officer, Sefton CME",
        method=EnquiryCheck.Method.PHONE,
        result=EnquiryCheck.Result.NOTHING,
        by=officer,
    )

    # A closure waiting for a manager, on its own case.
    waiting = CaseFactory(status=Status.ENQUIRIES, child__surname="Waiting")
    closure = closure_request(case=waiting, outcome="on_roll_here", closed_on=today, by=officer)

    # Intake: a deletion return from each school (the first under ground (h), so every triage
    # form applies to it), a referral from the first agency, a notification from Wirral.
    return_a = _deletion(school_user, _child("Ava", "Schoolone", date(2015, 3, 27)), "h")
    return_b = _deletion(
        users["other_school_user"], _child("Bea", "Schooltwo", date(2014, 5, 2)), "g"
    )
    referral = cme_referral_submit(
        data=CmeReferralData(
            child=_child("Cara", "Agencyone", date(2016, 1, 9)),
            referrer_name="Sam Nurse",
            primary_reason=reason(),
        ),
        by=users["agency_user"],
    )
    notification = other_la_notification_submit(
        data=OtherLaData(
            child=_child("Dora", "Wirralsent", date(2013, 7, 19)),
            nature=Nature.MOVED_IN,
            other_la_name="Wirral",
        ),
        by=users["outsider"],
    )

    # A hand-over to Wirral (the outsider's authority) and one to Knowsley (nobody's), each on
    # its own case: sending one changes the case's status.
    moving = CaseFactory(status=Status.ENQUIRIES, child__surname="Moving")
    handover = handover_send(
        case=moving, other_la_name="Wirral", other_la_code="344", concerns="None", by=officer
    )
    elsewhere = CaseFactory(status=Status.ENQUIRIES, child__surname="Elsewhere")
    handover_knowsley = handover_send(
        case=elsewhere, other_la_name="Knowsley", other_la_code="340", by=officer
    )

    # An import batch uploaded by school A, and one the CME team uploaded for it.
    urn = _school_of(school_user).urn
    batch, _ = import_upload(data=_returns_csv(urn), filename="returns.csv", by=school_user)
    batch_team, _ = import_upload(data=_returns_csv(urn), filename="team.csv", by=officer)

    # A register migration the CME team uploaded: its header read, its columns not confirmed.
    migration = migration_upload(data=_register_csv(), filename="register.csv", by=officer)

    # A school's roll, and a cross-check of a housing list against it that found one child on
    # no roll (the candidate the results pages show).
    roll = roll_load(
        content=census_csv([roll_pupil(school_urn=urn, school_laestab="")]),
        filename="roll.csv",
        by=officer,
        as_of=today - timedelta(days=20),
    )
    crosscheck = crosscheck_start(
        request=CheckRequest(
            kind=CheckKind.KNOWN_TO_SERVICES,
            check_on=today,
            list_content=mis_csv(
                [roll_pupil(forename="Kacper", surname="Wisniewski", upn="")],
                school_columns=False,
            ),
            list_name="housing.csv",
            list_source="Housing",
        ),
        by=officer,
    )
    crosscheck_candidate = crosscheck.candidates.get()

    # Two records that may be the same child, for the merge pages.
    source = ChildFactory(forenames="Millie", surname="Smith", date_of_birth=date(2015, 4, 3))
    AddressFactory(child=source, postcode="L20 7AE")
    target = ChildFactory(forenames="Amelia", surname="Smith", date_of_birth=date(2015, 3, 4))
    AddressFactory(child=target, postcode="L20 7AE")

    # A child on the EHE register (a parent's notice), with a child protection plan: the record
    # carries the alert a manager acknowledges.
    home_educated = ChildFactory(forenames="Esme", surname="Homeschool")
    child_flag_add(child=home_educated, flag_type=flag_type(FLAG_CODE), by=officer)
    ehe_record = ehe_record_open(
        start=EheStart(start_date=today - timedelta(days=30), source=Source.PARENT_NOTICE),
        child=home_educated,
        by=users["ehe_officer"],
    )

    # Evidence attached to the case (a one-line PDF is enough for the checks).
    attachment = attachment_add(
        case=case,
        upload=ContentFile(b"%PDF-1.4\n%%EOF\n", name="visit.pdf"),
        evidence_type=EvidenceType.HOME_VISIT_NOTE,
        description="",
        by=officer,
    )

    # Links for two users who are no persona (signing a persona in would spoil the reset token).
    newcomer = UserFactory(username="newcomer", role=User.Role.CME_OFFICER)
    invite, invite_token = enrolment_invite_issue(user=newcomer, by=users["admin_user"])
    forgetful = UserFactory(username="forgetful", role=User.Role.CME_OFFICER)

    # A guidance document on the public page.
    document = published_document_add(
        upload=b"%PDF-1.4\n%%EOF\n",
        filename="guidance.pdf",
        title="Statutory guidance",
        description="",
        by=users["manager"],
    )

    # A letter produced on the case (the calling card needs nothing but the case's reference).
    letter = letter_produce(
        case=case, template=LetterTemplate.objects.get(slug="calling-card"), by=officer
    )

    values = {
        "case": str(case.public_id),
        "child": str(case.child.public_id),
        "task": str(task.public_id),
        "flag_code": FLAG_CODE,
        "escalation": str(escalation.public_id),
        "closure": str(closure.public_id),
        "return_a": str(return_a.public_id),
        "return_b": str(return_b.public_id),
        "referral_a": str(referral.public_id),
        "notification": str(notification.public_id),
        "handover_case": str(moving.public_id),
        "handover": str(handover.public_id),
        "handover_knowsley": str(handover_knowsley.public_id),
        "batch_a": str(batch.public_id),
        "batch_team": str(batch_team.public_id),
        "migration": str(migration.public_id),
        "roll_load": str(roll.public_id),
        "crosscheck_run": str(crosscheck.public_id),
        "crosscheck_candidate": str(crosscheck_candidate.public_id),
        "crosscheck_kind": CheckKind.TRANSITION.value,
        "unknown_kind": "not-a-check",
        "unknown": "00000000-0000-4000-8000-000000000000",  # nothing has this id
        "source_child": str(source.public_id),
        "target_child": str(target.public_id),
        "urn": urn,
        "ehe_record": str(ehe_record.public_id),
        "attachment": str(attachment.public_id),
        "letter": str(letter.public_id),
        "letter_format": "docx",
        "letter_template": "calling-card",
        "template_version": str(letter.template_version.public_id),
        "blank_form": "blank-referral-form",
        "published_document": str(document.public_id),
        "invite_token": invite_token,
        "wrong_token": "not-a-set-up-token",
        "newcomer_pk": str(newcomer.pk),
        "newcomer_public_id": str(newcomer.public_id),
        "dashboard_key": "open-by-reason",
        "dashboard_format": "csv",
        # The lists' exports (issue 10): the heavier of the two formats.
        "export_format": "xlsx",
        "reset_uid": urlsafe_base64_encode(force_bytes(forgetful.pk)),
        "reset_token": default_token_generator.make_token(forgetful),
        "agency_org": str(agency_org.public_id),
    }
    pks = {
        "case": case.pk,
        "waiting": waiting.pk,
        "moving": moving.pk,
        "task": task.pk,
        "escalation": escalation.pk,
        "closure": closure.pk,
        "handover": handover.pk,
        "batch": batch.pk,
        "migration": migration.pk,
        "roll_load": roll.pk,
        "crosscheck_candidate": crosscheck_candidate.pk,
        "agency_org": agency_org.pk,
        "invite": invite.pk,
        "forgetful": forgetful.pk,
        "newcomer": newcomer.pk,
        "ehe_record": ehe_record.pk,
        "attachment": attachment.pk,
    }
    sessions = {}
    for persona, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    world = World(users=users, values=values, pks=pks, sessions=sessions)
    return replace(world, start=world_state(world))


def world_state(world: World) -> tuple[object, ...]:
    """What a refused request must not change, in one query: how many rows the audit log, the
    timeline and every table a page writes to hold, and the state of each record a page could
    move on (a case's status, a task done, an escalation acknowledged, a closure approved, a
    submission triaged, a hand-over answered, a batch committed, a link used, a password set)."""
    sql, params = _state_sql(world)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def _state_sql(world: World) -> tuple[str, list[Any]]:
    """One SELECT of scalar subqueries. Only table and column names from the models' own
    metadata are put into the text; every value is a parameter."""
    pk = world.pks
    counted = (
        LogEntry,
        CaseEvent,
        Case,
        Child,
        ChildFlag,
        Task,
        EnquiryCheck,
        Escalation,
        ClosureRequest,
        Submission,
        OtherLaNotification,
        ImportBatch,
        NonMatch,
        EnrolmentInvite,
        User,
        EheRecord,
        EheReview,
        Attachment,
        Letter,
        LetterTemplate,
        TemplateVersion,
        InformationPage,
        PublishedDocument,
        RegisterMigration,
        MigratedRow,
        Organisation,
        RollLoad,
        RollEntry,
        CrossCheckRun,
        CrossCheckCandidate,
        CrossCheckDismissal,
    )
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []

    def column(model: type[Model], name: str, where: str = "", *values: object) -> None:
        table = quote(model._meta.db_table)
        condition = f" WHERE {where}" if where else ""
        parts.append(f"(SELECT {name} FROM {table}{condition})")  # noqa: S608 (names, not data)
        params.extend(values)

    def field(model: type[Model], name: str, key: str) -> None:
        assert model._meta.pk is not None
        column(model, quote(name), f"{quote(model._meta.pk.column)} = %s", pk[key])

    for model in counted:
        column(model, "COUNT(*)")

    for key in ("case", "waiting", "moving"):
        for name in ("status", "assigned_to_id", "risk_level", "category"):
            field(Case, name, key)
    field(Task, "done_at", "task")
    field(Escalation, "acknowledged_at", "escalation")
    field(Escalation, "resolved_at", "escalation")
    field(ClosureRequest, "state", "closure")
    column(ChildFlag, "COUNT(*)", f"{quote('removed_at')} IS NULL")
    column(Submission, "COUNT(*)", f"{quote('triage_state')} = %s", TriageState.NEW)
    column(Submission, "COUNT(*)", f"{quote('case_id')} IS NOT NULL")
    field(OtherLaNotification, "handover_state", "handover")
    field(ImportBatch, "state", "batch")
    field(ImportBatch, "committed", "batch")
    field(RegisterMigration, "state", "migration")
    field(RegisterMigration, "columns_confirmed", "migration")
    field(Organisation, "name", "agency_org")
    field(RollLoad, "withdrawn_at", "roll_load")
    field(CrossCheckCandidate, "state", "crosscheck_candidate")
    for name in ("end_date", "next_review_due", "alert_acknowledged_at", "cme_case_id"):
        field(EheRecord, name, "ehe_record")
    field(Attachment, "removed_at", "attachment")
    field(EnrolmentInvite, "password_set_at", "invite")
    field(EnrolmentInvite, "used_at", "invite")
    column(User, "COUNT(*)", f"{quote('is_active')} = %s", True)
    for key in ("forgetful", "newcomer"):
        field(User, "password", key)
    return "SELECT " + ", ".join(parts), params
