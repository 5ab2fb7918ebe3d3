"""Writes for intake: one module per route in (deletion and new-pupil returns, referrals,
other-LA notifications, public concerns), plus triage and the outbound hand-over.

Keyword-only, one transaction each, checking before anything is written (the checks themselves
live in `referrals.checks`, shared with the forms and importers). Partners (schools, agencies,
other authorities, the public) submit; only the CME team opens, links or closes cases
(cases.services refuses anyone else), so a partner's submission lands in the incoming queue with
its recommended route, and the officer applies it.

Importing this package registers every kind (see `kinds.py`).
"""

from ..particulars import ChildParticulars, DeletionData, NewPupilData
from .common import acknowledgement_text, find_open_case, record_received
from .deletion import (
    deletion_return_build,
    deletion_return_check,
    deletion_return_submit,
    late_school_days,
)
from .destinations import (
    destination_await,
    destination_confirm,
    destinations_confirm_by_new_pupils,
    destinations_lapse,
    destinations_lapse_job,
)
from .errors import IntakeError
from .handover import (
    ACTIVE_HANDOVER,
    HANDOVER_TRANSITIONS,
    handover_information_requested,
    handover_send,
    handover_update,
    notification_information_request,
    notification_withdrawn_by_sender,
)
from .joint_enquiries import deletion_confirm_enquiries
from .kinds import submission_details
from .new_pupil import new_pupil_return_build, new_pupil_return_check, new_pupil_return_submit
from .other_la import OtherLaData, other_la_check, other_la_notification_submit
from .public import PublicConcernData, public_concern_check, public_concern_submit
from .referral import (
    ActionData,
    CmeReferralData,
    HomeVisitData,
    cme_referral_check,
    cme_referral_submit,
)
from .triage import (
    new_pupil_close_case,
    require_triage,
    submission_apply_route,
    submission_link_case,
    submission_no_action,
    submission_open_case,
)

__all__ = [
    "ACTIVE_HANDOVER",
    "HANDOVER_TRANSITIONS",
    "ActionData",
    "ChildParticulars",
    "CmeReferralData",
    "DeletionData",
    "HomeVisitData",
    "IntakeError",
    "NewPupilData",
    "OtherLaData",
    "PublicConcernData",
    "acknowledgement_text",
    "cme_referral_check",
    "cme_referral_submit",
    "deletion_confirm_enquiries",
    "deletion_return_build",
    "deletion_return_check",
    "deletion_return_submit",
    "destination_await",
    "destination_confirm",
    "destinations_confirm_by_new_pupils",
    "destinations_lapse",
    "destinations_lapse_job",
    "find_open_case",
    "handover_information_requested",
    "handover_send",
    "handover_update",
    "late_school_days",
    "new_pupil_close_case",
    "new_pupil_return_build",
    "new_pupil_return_check",
    "new_pupil_return_submit",
    "notification_information_request",
    "notification_withdrawn_by_sender",
    "other_la_check",
    "other_la_notification_submit",
    "public_concern_check",
    "public_concern_submit",
    "record_received",
    "require_triage",
    "submission_apply_route",
    "submission_details",
    "submission_link_case",
    "submission_no_action",
    "submission_open_case",
]
