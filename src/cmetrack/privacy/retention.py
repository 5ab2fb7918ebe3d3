"""Retention: anonymise a child's record once the authority no longer needs it (DOMAIN.md §10).

A child is due when every case is closed and they have passed the retention age (default 25,
`CMETRACK_RETENTION_AGE`), or, with no date of birth, when their last case closed more than
`CMETRACK_RETENTION_YEARS_WITHOUT_DOB` years ago (default 10). Anonymising keeps what the
statutory returns and performance figures need (sex, month of birth, reasons, statuses, dates,
outcomes, flags) and removes who the child is: names, UPNs, addresses, carers, free text written
about them, the identifying fields of every return or referral about them, and the old values
kept in the audit log. The audit log keeps who did what and when, and one entry records the
anonymisation itself.

Free text is scrubbed by default: every text field of a related record is cleared unless it is
listed in KEEP_FIELDS or is a code (a field with choices), so a field added later is covered.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from cmetrack.attachments.services import attachments_delete_files_of
from cmetrack.cases.models import Case, CaseEvent
from cmetrack.cases.status import Status
from cmetrack.children.models import Address, Child, ChildFlag, Contact, FormerUpn, OtherName
from cmetrack.core.school_age import birthday
from cmetrack.ehe.models import EheRecord, EheReview
from cmetrack.letters.services import letters_remove_files_of
from cmetrack.matching.models import ChildMatchKey

REMOVED = "[removed]"
# Text fields that name no one: references, codes and labels copied from reference data.
KEEP_FIELDS = frozenset({
    "reference", "kind", "code", "trigger_code", "trigger_label", "rule_key", "route",
    "status", "outcome", "category", "risk_level", "referral_source", "state", "ground",
    "sex", "sen_status",
})  # fmt: skip
# Timeline payload keys that carry what an officer wrote (the rest are labels and codes).
FREE_TEXT_KEYS = frozenset({"text", "note", "reason", "action", "title", "to_name"})


def retention_age() -> int:
    return int(getattr(settings, "CMETRACK_RETENTION_AGE", 25))


def years_without_dob() -> int:
    return int(getattr(settings, "CMETRACK_RETENTION_YEARS_WITHOUT_DOB", 10))


def _latest_reaching(years: int, by: date) -> date:
    """The last date whose `years`-th anniversary (core's birthday rule: 29 February -> 1 March
    in a common year) falls on or before `by`; one cut-off date, so the query stays one query."""
    latest = birthday(by, -years)
    # `by` itself a 29 February, `years` back a common year: birthday() gives 1 March, whose
    # anniversary is after `by`.
    return latest if birthday(latest, years) <= by else latest - timedelta(days=1)


def children_due_for_anonymising(today: date | None = None) -> QuerySet[Child]:
    today = today or timezone.localdate()
    born_before = _latest_reaching(retention_age(), today)
    closed_before = _latest_reaching(years_without_dob(), today)
    open_case = Case.objects.filter(child=models.OuterRef("pk")).exclude(status=Status.CLOSED)
    # A child still on the home-education register is still the authority's business.
    open_ehe = EheRecord.objects.filter(child=models.OuterRef("pk"), end_date__isnull=True)
    return (
        Child.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True)
        .annotate(last_closed=Max("cases__closed_on"))
        .exclude(models.Exists(open_case))
        .exclude(models.Exists(open_ehe))
        .filter(
            Q(date_of_birth__lte=born_before)
            | Q(date_of_birth__isnull=True, last_closed__lte=closed_before)
            | Q(date_of_birth__isnull=True, cases__isnull=True, created_at__date__lte=closed_before)
        )
        .distinct()
    )


def _scrub_text_fields(obj: models.Model) -> list[str]:
    changed = []
    for field in obj._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        if field.choices or field.unique or field.primary_key or field.name in KEEP_FIELDS:
            continue
        value = getattr(obj, field.attname)
        if value:
            setattr(obj, field.attname, "" if field.blank else REMOVED)
            changed.append(field.attname)
    return changed


def _scrub_payload(payload: dict[str, object]) -> dict[str, object]:
    return {k: (REMOVED if k in FREE_TEXT_KEYS and v else v) for k, v in payload.items()}


def _related_rows(child: Child) -> list[models.Model]:
    """Every row hanging off the child or one of their cases, found from the model graph."""
    rows: list[models.Model] = []
    cases = list(child.cases.all())
    for owner in [child, *cases]:
        for relation in owner._meta.related_objects:
            related = relation.related_model
            if relation.one_to_many and isinstance(related, type):
                if related in {Child, CaseEvent}:
                    continue
                accessor = relation.get_accessor_name()
                if accessor:
                    rows.extend(getattr(owner, accessor).all())
    return rows


def _forget_audit_values(objects: Iterable[models.Model]) -> None:
    """Keep who did what and when; drop the values (the old names, addresses, notes)."""
    by_type: dict[int, list[str]] = {}
    for obj in objects:
        ct = ContentType.objects.get_for_model(obj.__class__)
        by_type.setdefault(ct.pk, []).append(str(obj.pk))
    for ct_pk, pks in by_type.items():
        LogEntry.objects.filter(content_type_id=ct_pk, object_pk__in=pks).update(
            changes=None, changes_text="", object_repr="[anonymised]", serialized_data=None
        )


def _attachment_files_delete(child: Child) -> None:
    """Evidence attached to the child's cases: each file is deleted from storage once the
    anonymisation commits, and its row marked removed (attachments.services)."""
    attachments_delete_files_of(cases=child.cases.all())


@dataclass(frozen=True)
class AnonymiseResult:
    child_pk: int
    rows_scrubbed: int
    rows_deleted: int


@transaction.atomic
def child_anonymise(*, child: Child) -> AnonymiseResult:
    """Anonymise one child in one transaction. Safe to re-run: an anonymised child is skipped."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.anonymised_at is not None:
        return AnonymiseResult(child.pk, 0, 0)
    if child.cases.exclude(status=Status.CLOSED).exists():
        raise ValueError("A child with an open case is never anonymised.")
    if EheRecord.objects.filter(child=child, end_date__isnull=True).exists():
        raise ValueError("A child on the home-education register is never anonymised.")
    touched: list[models.Model] = [child]
    deleted = 0
    with disable_auditlog():
        # Whole records about who the child is and who cares for them go.
        identity: list[type[models.Model]] = [Address, Contact, OtherName, FormerUpn]
        for model in identity:
            rows = list(model.objects.filter(child=child))  # type: ignore[attr-defined]
            touched += rows
            deleted += model.objects.filter(child=child).delete()[0]  # type: ignore[attr-defined]
        ChildFlag.objects.filter(child=child).update(note="")
        # Letters name the child: their files go (after commit) before the rows are scrubbed.
        letters_remove_files_of(cases=child.cases.all())
        scrubbed = 0
        for row in _related_rows(child):
            if isinstance(row, (Address, Contact, OtherName, FormerUpn)):
                continue
            if _scrub_text_fields(row):
                row.save()
                scrubbed += 1
            dob = getattr(row, "date_of_birth", None)
            if isinstance(dob, date):
                type(row)._default_manager.filter(pk=row.pk).update(
                    date_of_birth=dob.replace(day=1)
                )
            touched.append(row)
        # The rows stay (their names and descriptions were scrubbed just above); the files go.
        _attachment_files_delete(child)
        # Reviews hang off the EHE record, one step further from the child than the walk goes.
        for review in EheReview.objects.filter(record__child=child):
            if _scrub_text_fields(review):
                review.save()
                scrubbed += 1
            touched.append(review)
        for event in CaseEvent.objects.filter(case__child=child):
            event.payload = _scrub_payload(event.payload)
            event.save(update_fields=["payload"])
            touched.append(event)
        for case in child.cases.all():
            case.referrer = ""
            case.save(update_fields=["referrer"])
            touched.append(case)
        # Keep the month of birth: the year group and the statutory return still count right.
        child.forenames = "Anonymised"
        child.surname = "child"
        child.upn = ""
        child.first_language = ""
        if child.date_of_birth:
            child.date_of_birth = child.date_of_birth.replace(day=1)
        child.anonymised_at = timezone.now()
        child.save()
        # No blocking keys: an anonymised record must never be offered as a likely match.
        ChildMatchKey.objects.filter(child=child).delete()
    _forget_audit_values(touched)
    LogEntry.objects.log_create(
        child,
        action=LogEntry.Action.UPDATE,
        changes={"anonymised": ["", "retention period"]},
        force_log=True,
    )
    return AnonymiseResult(child.pk, scrubbed, deleted)


def anonymise_due(*, today: date | None = None, limit: int | None = None) -> list[AnonymiseResult]:
    due = children_due_for_anonymising(today).order_by("pk").values_list("pk", flat=True)
    results = []
    for pk in list(due[:limit] if limit else due):
        results.append(child_anonymise(child=Child(pk=pk)))
    return results
