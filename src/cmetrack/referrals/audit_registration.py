"""Every create, update and delete of an intake record goes to the audit log."""

from auditlog.registry import auditlog

from .models import (
    CmeReferral,
    DeletionReturn,
    HandoverChange,
    HomeVisit,
    ImportBatch,
    NewPupilReturn,
    OtherLaNotification,
    PublicConcern,
    ReferralAction,
    Submission,
)

auditlog.register(Submission)
auditlog.register(CmeReferral, m2m_fields={"secondary_reasons", "flags"})
for model in (
    DeletionReturn,
    NewPupilReturn,
    OtherLaNotification,
    PublicConcern,
    ReferralAction,
    HomeVisit,
    HandoverChange,
    ImportBatch,
):
    auditlog.register(model)
