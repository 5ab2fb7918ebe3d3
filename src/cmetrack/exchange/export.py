"""Where the receiving authority has no cmetrack (no peer for its LA code), or a delivery was
given up: the hand-over as a structured export for secure email. A ZIP with `handover.json`
(the same message a peer would have been sent, with who sent it to whom and when) and the CME
notification letter (letters' `other-la-notification` template, filled from the case).
Writes nothing but the audit record of the child's details read."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from cmetrack.accounts.access import is_la_staff
from cmetrack.accounts.models import User
from cmetrack.audit.context import acting_as
from cmetrack.audit.services import record_view
from cmetrack.letters.models import LetterTemplate
from cmetrack.letters.rendering import LetterProblem
from cmetrack.letters.services import LetterRefused, letter_fill
from cmetrack.referrals.models import OtherLaNotification

from .services.errors import ExchangeError
from .services.outbox import handover_payload

LETTER_TEMPLATE = "other-la-notification"
FORMAT = "cmetrack-handover/1"


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes


def handover_document(note: OtherLaNotification) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "from": {
            "authority": settings.CMETRACK_AUTHORITY_NAME,
            "la_code": settings.CMETRACK_AUTHORITY_LA_CODE,
            "email": getattr(settings, "CMETRACK_AUTHORITY_EMAIL", ""),
            "phone": getattr(settings, "CMETRACK_AUTHORITY_PHONE", ""),
        },
        "to": {"authority": note.other_la_name, "la_code": note.other_la_code},
        "sent_at": note.received_at.isoformat(),
        **handover_payload(note),
    }


def handover_export(*, notification: OtherLaNotification, by: User) -> Export:
    if not is_la_staff(by):
        raise ExchangeError("Only the local authority's CME team can export a hand-over.")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "handover.json", json.dumps(handover_document(notification), indent=2) + "\n"
        )
        letter = _letter(notification, by)
        if letter is not None:
            archive.writestr(f"{notification.reference}-notification.docx", letter)
    with acting_as(by):
        record_view(notification)
        if notification.case is not None:
            record_view(notification.case.child)
    return Export(filename=f"{notification.reference}-handover.zip", content=out.getvalue())


def _letter(notification: OtherLaNotification, by: User) -> bytes | None:
    template = LetterTemplate.objects.filter(slug=LETTER_TEMPLATE).first()
    if template is None or notification.case is None:
        return None
    try:
        return letter_fill(case=notification.case, template=template, by=by).docx
    except (LetterProblem, LetterRefused):
        return None
