"""Every run, dismissal and referral of a cross-check goes to the audit log (the issue: "every
run is audited"); a candidate's page view is recorded by the view (audit.record_view)."""

from auditlog.registry import auditlog

from .models import CrossCheckCandidate, CrossCheckDismissal, CrossCheckRun

auditlog.register(CrossCheckRun, exclude_fields=["summary", "subjects"])
auditlog.register(CrossCheckCandidate, exclude_fields=["explanation"])
auditlog.register(CrossCheckDismissal)
