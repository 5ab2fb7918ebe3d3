"""Test helper: cover a case's reasonable-enquiries checklist so enquiries can be exhausted."""

from django.utils import timezone

from cmetrack.cases.models import Case, EnquiryCheck
from cmetrack.cases.services import enquiry_checks_missing


def cover_checklist(case: Case, *, except_codes: frozenset[str] = frozenset()) -> None:
    """Record every check not yet recorded as made and nothing found (set up directly, with
    no timeline events: the services under test are elsewhere)."""
    EnquiryCheck.objects.bulk_create(
        EnquiryCheck(
            case=case,
            check_type=check,
            done_on=timezone.localdate(),
            done_by_name="Test officer, Sefton CME team",
            method=EnquiryCheck.Method.SYSTEM,
            result=EnquiryCheck.Result.NOTHING,
        )
        for check in enquiry_checks_missing(case=case)
        if check.code not in except_codes
    )
