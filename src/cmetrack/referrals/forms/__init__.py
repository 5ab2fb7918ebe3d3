"""Intake forms, rendered with the GOV.UK Design System, one module per kind. Each turns its
answers into the data object its service takes; the rules are the kind's shared check."""

from .handover import HandoverForm, HandoverReplyForm, HandoverUpdateForm
from .other_la import OtherLaNotificationForm
from .public import PublicConcernForm
from .referral import CmeReferralForm
from .returns import DeletionReturnForm, NewPupilReturnForm
from .triage import AskMoreForm, ConfirmEnquiriesForm, LinkCaseForm, NoActionForm, OpenCaseForm

__all__ = [
    "AskMoreForm",
    "CmeReferralForm",
    "ConfirmEnquiriesForm",
    "DeletionReturnForm",
    "HandoverForm",
    "HandoverReplyForm",
    "HandoverUpdateForm",
    "LinkCaseForm",
    "NewPupilReturnForm",
    "NoActionForm",
    "OpenCaseForm",
    "OtherLaNotificationForm",
    "PublicConcernForm",
]
