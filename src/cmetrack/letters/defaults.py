"""The letters and forms cmetrack ships: the seed's appendices, as Word templates built in code.

Each is version 1 of its template, made when the database is migrated (`reference_data.py`).
An administrator downloads one, edits the wording in Word, and uploads it as version 2; the
shipped wording stays as version 1 for the letters already made from it.

Wording choices that protect the child:
- the home-visit calling card is left at a door anyone may open, so it names no child and no
  reason, only the team, the reference and a number to ring;
- the closure confirmation goes to whoever referred, who may be a member of the public, so it
  says that enquiries are complete and the case closed, never where the child went.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docx.document import Document as DocumentObject

from .docbuilder import (
    as_bytes,
    details_table,
    grid_table,
    heading,
    letterhead,
    new_document,
    or_not_known,
    para,
    signature,
)
from .models import TemplateKind


@dataclass(frozen=True)
class ShippedTemplate:
    slug: str
    title: str
    purpose: str
    kind: str
    build: Callable[[DocumentObject], None]

    def content(self) -> bytes:
        document = new_document()
        self.build(document)
        return as_bytes(document)


def _child_rows() -> list[tuple[str, str]]:
    """Who the child is. A child missing education often has no UPN or known date of birth:
    a notification still goes, saying so, rather than waiting for what nobody has."""
    return [
        ("Child's name", "{{ child_full_name }}"),
        ("Date of birth", or_not_known("child_date_of_birth")),
        ("Year group (by age)", or_not_known("child_year_group")),
        ("UPN", or_not_known("child_upn")),
    ]


def _history_rows() -> list[tuple[str, str]]:
    return [
        ("School last attended", or_not_known("school_name")),
        ("Date last attended", or_not_known("date_last_attended")),
        ("Reason missing education", "{{ missing_reason }}"),
        ("Vulnerabilities", "{{ vulnerabilities }}"),
    ]


def _parent_absence(d: DocumentObject) -> None:
    letterhead(d, to=["{{ parent_name }}", "{{ parent_address }}"])
    heading(d, "{{ child_full_name }}: absence from education", 2)
    para(d, "Dear {{ parent_name }},")
    para(
        d,
        "We have been told that {{ child_full_name }} (date of birth {{ child_date_of_birth }}) "
        "has not attended {{ school_name }} since {{ date_last_attended }}, and we do not know "
        "of another school or of education being provided at home.",
    )
    para(
        d,
        "The council has a legal duty to identify children of compulsory school age who are not "
        "receiving a suitable education (section 436A of the Education Act 1996). We need to "
        "know where and how your child is being educated.",
    )
    para(
        d,
        "Please contact the Children Missing Education team within 10 school days of the date "
        "of this letter, on {{ authority_phone }} or at {{ authority_email }}, quoting the "
        "reference {{ case_reference }}. If your child has started at another school, or you "
        "are educating them at home, please tell us so that we can update our records.",
    )
    para(
        d,
        "If we do not hear from you, we will carry on our enquiries, which may include a visit "
        "to your home and checks with other services.",
    )
    signature(d)


def _calling_card(d: DocumentObject) -> None:
    heading(d, "{{ authority_name }}: sorry we missed you", 1)
    para(d, "An officer from the Children Missing Education team called today, {{ today }}.")
    para(
        d,
        "Please ring us on {{ authority_phone }} as soon as you can, quoting the reference "
        "{{ case_reference }}. You can also email {{ authority_email }}.",
    )
    details_table(
        d,
        [
            ("Officer", "{{ officer_name }}"),
            ("Reference", "{{ case_reference }}"),
            ("Time of visit", ""),
        ],
    )
    para(d, "{{ authority_name }}, Children Missing Education team, {{ authority_address }}")


def _other_la_notification(d: DocumentObject) -> None:
    letterhead(
        d,
        to=["The Children Missing Education Officer", "{{ receiving_authority }}"],
    )
    heading(d, "Notification of a child missing education", 2)
    para(
        d,
        "We believe the child below has moved to your area. They are of compulsory school age "
        "and we know of no school place or education being provided. We are passing this "
        "information to you under the statutory guidance on children missing education so "
        "that you can make enquiries. Please confirm receipt, and tell us if the child is not "
        "known at the address.",
    )
    details_table(
        d,
        [
            *_child_rows(),
            ("Last known address", or_not_known("child_address")),
            ("Parents and carers", or_not_known("parents_all", "None recorded")),
            *_history_rows(),
            ("Our reference", "{{ case_reference }}"),
        ],
    )
    signature(d)


def _social_care_referral(d: DocumentObject) -> None:
    letterhead(d, to=["Children's Social Care / Multi-Agency Safeguarding Hub"])
    heading(d, "Referral: a child missing education", 2)
    para(
        d,
        "The Children Missing Education team is referring the child below. Complete the "
        "concerns section before sending; the details come from our case record.",
    )
    details_table(
        d,
        [
            *_child_rows(),
            ("Address", or_not_known("child_address")),
            ("Parents and carers", or_not_known("parents_all", "None recorded")),
            *_history_rows(),
            ("Referred to us on", "{{ referral_date }}"),
            ("Our reference", "{{ case_reference }}"),
        ],
    )
    heading(d, "Concerns and enquiries made so far", 3)
    grid_table(d, ["To be completed by the referring officer"], 4)
    signature(d)


def _school_enquiries_complete(d: DocumentObject) -> None:
    letterhead(d, to=["The Headteacher", "{{ school_name }}"])
    heading(d, "Joint enquiries complete: removal from roll", 2)
    para(
        d,
        "We have completed our joint reasonable enquiries with the school about the pupil "
        "below. The pupil may be removed from the admission register on the date agreed.",
    )
    details_table(
        d,
        [
            *_child_rows(),
            ("Ground for removal", "{{ removal_ground }}"),
            ("Agreed removal date", "{{ removal_agreed_date }}"),
            ("Our reference", "{{ case_reference }}"),
        ],
    )
    para(
        d,
        "Please keep this letter with the pupil's record and tell us at once if the pupil "
        "returns or you learn where they are.",
    )
    signature(d)


def _closure_confirmation(d: DocumentObject) -> None:
    letterhead(d, to=["{{ referrer }}"])
    heading(d, "Your referral to the Children Missing Education team", 2)
    para(d, "Thank you for your referral, received on {{ referral_date }}.")
    para(
        d,
        "We have completed our enquiries and closed our case on {{ closed_on }}. For the "
        "child's privacy we do not share the outcome; if you have new concerns about the "
        "child, please contact us again on {{ authority_phone }}, quoting {{ case_reference }}.",
    )
    signature(d)


def _blank_heading(d: DocumentObject, title: str) -> None:
    para(d, "{{ authority_name }}", bold=True)
    para(d, "Children Missing Education team, {{ authority_address }}")
    para(d, "Telephone: {{ authority_phone }}   Email: {{ authority_email }}")
    heading(d, title, 1)


def _blank_deletion_return(d: DocumentObject) -> None:
    _blank_heading(d, "Notification of a pupil's removal from the admission register")
    para(
        d,
        "Schools must tell the local authority when a pupil's name is to be removed from the "
        "admission register under any of the grounds in the School Attendance (Pupil "
        "Registration) (England) Regulations 2024. Use the online form where you can; send "
        "this form securely to {{ authority_email }} if you cannot.",
    )
    details_table(
        d,
        [
            ("School name and URN", ""),
            ("Pupil's legal forenames and surname", ""),
            ("Date of birth", ""),
            ("Sex", ""),
            ("UPN", ""),
            ("Address", ""),
            ("Parents or carers and contact details", ""),
            ("Ground for removal (regulation 9 letter)", ""),
            ("Date of removal", ""),
            ("Destination school or area, if known", ""),
            ("Date last attended", ""),
            ("Vulnerabilities known to the school", ""),
            ("Completed by (name, role, date)", ""),
        ],
    )


def _blank_referral(d: DocumentObject) -> None:
    _blank_heading(d, "Referral of a child who may be missing education")
    para(
        d,
        "Use this form to tell us about a child of compulsory school age who you think is not "
        "on a school roll or receiving a suitable education. Send it securely to "
        "{{ authority_email }} or ring {{ authority_phone }}. If a child is at immediate risk "
        "of harm, call the police on 999.",
    )
    details_table(
        d,
        [
            ("Child's name", ""),
            ("Date of birth or age", ""),
            ("Address or area", ""),
            ("Parents or carers", ""),
            ("School last attended, if known", ""),
            ("Why you think the child is missing education", ""),
            ("Any concerns for the child's safety", ""),
            ("Your name, role and organisation", ""),
            ("Your telephone and email", ""),
            ("Date", ""),
        ],
    )


SHIPPED: tuple[ShippedTemplate, ...] = (
    ShippedTemplate(
        "parent-absence",
        "Letter to parent or carer about absence and possible CME",
        "The first letter to the family when a child has stopped attending and no other "
        "education is known: asks them to contact the team within 10 school days.",
        TemplateKind.CASE_LETTER,
        _parent_absence,
    ),
    ShippedTemplate(
        "calling-card",
        "Home-visit calling card",
        "Left at the door when nobody answers a home visit. Names no child.",
        TemplateKind.CASE_LETTER,
        _calling_card,
    ),
    ShippedTemplate(
        "other-la-notification",
        "CME notification to another local authority",
        "Sent with a hand-over when the child has moved to another authority's area.",
        TemplateKind.CASE_LETTER,
        _other_la_notification,
    ),
    ShippedTemplate(
        "social-care-referral",
        "Referral to children's social care / MASH",
        "When enquiries raise a safeguarding concern: the case's details, with a section "
        "for the officer to complete.",
        TemplateKind.CASE_LETTER,
        _social_care_referral,
    ),
    ShippedTemplate(
        "school-enquiries-complete",
        "Confirmation to a school that joint enquiries are complete",
        "For grounds (h) and (i): tells the school the agreed date it may remove the pupil.",
        TemplateKind.CASE_LETTER,
        _school_enquiries_complete,
    ),
    ShippedTemplate(
        "closure-confirmation",
        "Case-closure confirmation to the referrer",
        "Tells whoever referred that enquiries are complete. Does not give the outcome.",
        TemplateKind.CASE_LETTER,
        _closure_confirmation,
    ),
    ShippedTemplate(
        "blank-deletion-return",
        "Blank deletion-return form for schools",
        "For a school that cannot use the site: the removal-from-roll notification on paper.",
        TemplateKind.BLANK_FORM,
        _blank_deletion_return,
    ),
    ShippedTemplate(
        "blank-referral-form",
        "Blank referral form",
        "For partners and the public who cannot use the online form.",
        TemplateKind.BLANK_FORM,
        _blank_referral,
    ),
)
