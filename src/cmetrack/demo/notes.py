"""What the demo's caseworkers write: plausible prose about nobody.

Templates take the names of the case's context (`scripts.context`): {child}, {carer},
{carer_cap}, {town}, {other_town}, {far_place}, {other_la}, {school}, {new_school}, {country},
{weeks}, {start}, and {date} in the referral note.
"""

from cmetrack.cases.models import Outcome
from cmetrack.cases.status import Status

# What a CME officer records when an escalation is dealt with (synthetic prose).
ESCALATION_ACTIONS = (
    "Phoned MASH the same morning about the {trigger}; the duty social worker took the referral "
    "and will share the outcome.",
    "Emailed the allocated social worker, who confirmed the family is known and a visit is "
    "booked this week.",
    "Discussed with the MASH consultant social worker; strategy discussion arranged, police "
    "informed under missing-person procedures.",
    "Referral made through the MASH portal; acknowledgement received and case added to the "
    "daily MASH meeting.",
)

# The referral's own note, by primary reason.
REFERRAL_NOTES: dict[str, str] = {
    "never-started": (
        "Admissions data check: {child} has reached compulsory school age but there is no "
        "application or roll entry anywhere in Sefton."
    ),
    "removed-by-parents": (
        "Deletion return from {school}: parents removed {child} from roll saying the "
        "family was moving. No destination school given."
    ),
    "no-place-after-move": (
        "{carer_cap} phoned the contact centre: the family moved to {town} {weeks} weeks "
        "ago and {child} has no school place yet."
    ),
    "moves-regularly": (
        "Referral from {school}: the family has moved three times this year and {child} "
        "left without notice."
    ),
    "family-breakdown": (
        "Parents have separated and {child} is moving between addresses; not in school "
        "since {date}."
    ),
    "key-stage-transition": (
        "Year 6 to Year 7 cross-check: no secondary admission found for {child} after "
        "leaving {school}."
    ),
    "runaway-or-missing": (
        "{child} reported missing from home; not seen at {school} since {date}. Police "
        "aware."
    ),
    "harm-or-neglect": (
        "Children's social care referral: neglect concerns at home and {child} is not "
        "attending school."
    ),
    "excluded": (
        "Permanently excluded from {school}; section 19 provision needed from the sixth "
        "school day."
    ),
    "moved-abroad-believed": (
        "Deletion return from {school}, ground (g): family said to have gone to {country}."
        " Nothing in writing and no destination school."
    ),
    "ehe-unsuitable": (
        "EHE team: home education judged unsuitable after two visits; {child} is now "
        "missing education."
    ),
    "awaiting-place": (
        "In-year application made; {child} is waiting for a place (Fair Access panel to "
        "consider)."
    ),
    "offered-not-started": (
        "Admissions: place offered at {school}; {child} has not started and the family is "
        "not answering."
    ),
    "whereabouts-unknown": (
        "{school} reports 10 continuous school days of unexplained absence. First-day "
        "calls, a letter and a home visit all failed."
    ),
    "other": (
        "{child} seen around {town} during school hours on several days; not known to be "
        "on any roll."
    ),
}  # fmt: skip

TRIAGE_NOTES = (
    "Triaged: checks against our records found nothing; allocating for LA enquiries.",
    "Referral screened. Asked {school} for the last contact details they hold.",
    "Duplicate check done: not known to the team before. Awaiting allocation.",
)
ENQUIRY_NOTES = (
    (
        "Home visit to the address on file: no answer, neighbour says the family moved to "
        "{far_place} about {weeks} weeks ago."
    ),
    (
        "Home visit: curtains drawn and post piling up behind the door. Calling card left asking "
        "the family to contact the CME team."
    ),
    (
        "Called every number on file at different times of day; the mobile goes straight to "
        "voicemail and the landline is disconnected."
    ),
    "S2S search: no match for {child}.",
    (
        "S2S search: a CTF for {child} was downloaded by a school in {other_la}. Emailed their CME"
        " officer to confirm."
    ),
    "Council tax and housing checks: the tenancy at the address on file ended last month.",
    "Housing: family placed in temporary accommodation in {other_town}; address requested.",
    (
        "Health checks: {child} is still registered with the family's GP practice; the school "
        "nursing team has had no recent contact."
    ),
    "Health visitor says a younger sibling was seen at a new address in {other_town} last month.",
    "MASH checks: family not currently known to children's social care.",
    (
        "MASH checks: family open to a social worker in the Child in Need team; social worker "
        "updated and will raise education at the next visit."
    ),
    (
        "Letter sent to the parent at the last known address asking them to contact the team "
        "within 10 school days."
    ),
    "Emailed the CME officer at {other_la} to ask whether the family is known there.",
    (
        "Spoke to {child}'s last form tutor at {school}: friends say {child} talked about moving "
        "to {far_place}."
    ),
    (
        "Checked public social media with the school's designated safeguarding lead: posts suggest"
        " the family is now living in {far_place}."
    ),
    (
        "Asked admissions whether any in-year application has been made for {child} since the "
        "referral: none found."
    ),
    (
        "Second home visit at a different time of day: a new tenant answered and said the family "
        "left before they moved in."
    ),
)  # fmt: skip
STATUS_NOTES: dict[Status, tuple[str, ...]] = {
    Status.ENQUIRIES: (
        "Starting LA enquiries.",
        "School enquiries exhausted; LA enquiries begin.",
        "Allocated; reasonable enquiries under way.",
    ),
    Status.LOCATED: (
        (
            "{carer_cap} answered the phone: the family is living in {other_town} and has not "
            "applied for a school place yet. In-year application form sent."
        ),
        (
            "Family found in temporary accommodation in {other_town}; {child} is at home and not "
            "in any school."
        ),
        (
            "{carer_cap} came to the contact centre with a new address in {town}; in-year "
            "application made the same day."
        ),
        "Located through the health visitor: the family is staying with relatives in {town}.",
    ),
    Status.PLACED: (
        "Place offered at {new_school}.",
        "Fair Access panel allocated a place at {new_school}.",
        "{new_school} confirms {child} has started.",
    ),
    Status.TRANSFERRED: (
        (
            "Family confirmed living in {other_la}. CME notification sent with the new address; "
            "case stays open until they confirm receipt."
        ),
        "Notified {other_la}'s CME officer through the secure mailbox; awaiting acknowledgement.",
    ),
    Status.UNTRACED: (
        (
            "All reasonable enquiries exhausted (school, S2S, health, housing, MASH, police, "
            "{other_la}). Lost-pupil CTF on S2S. Untraced; review next term."
        ),
        (
            "Enquiries exhausted with no trace of the family. Manager agreed untraced status; "
            "termly review set."
        ),
    ),
}  # fmt: skip
LOCATED_NOTES = (
    (
        "Visited the new address with {carer}: {child} is well and keen to go back to school. "
        "Talked through the in-year application."
    ),
    "Application received by admissions; waiting for a school with a place.",
    (
        "{carer_cap} says {child} has been anxious about starting somewhere new; asked the SENCO "
        "at {new_school} to plan a phased start."
    ),
)  # fmt: skip
PLACED_NOTES = (
    (
        "{new_school} confirms {child} started on {start}. Attendance to be checked after 10 "
        "school days."
    ),
    (
        "Start date agreed with {new_school} for {start}; uniform grant application made for the "
        "family."
    ),
    "{child} started at {new_school}; attendance check booked for 10 school days' time.",
)  # fmt: skip
MONITORING_NOTES = (
    "Monitoring: attendance at {new_school} is 92% so far.",
    "Monitoring: two unexplained absences this month; school has spoken to {carer}.",
    "Review: no change; chased {other_la} for an update.",
    "Monthly review: case still appropriately open; next check in four weeks.",
)  # fmt: skip
UNTRACED_REVIEWS = (
    "Termly review: S2S searched again, no match; health and housing checks repeated, nothing new.",
    (
        "Termly review: asked the CME officers in {other_la} and the neighbouring authorities "
        "again; family not known."
    ),
    "Termly review: GP registration unchanged since the referral. Remains untraced.",
)  # fmt: skip
TRANSFER_NOTES = (
    "Chased {other_la}'s CME officer for an acknowledgement of our notification.",
    "{other_la} acknowledged the notification and has started its own enquiries.",
)
ESCALATION_NOTES = (
    (
        "Escalated to children's social care (MASH) the same day under the escalation rule; the "
        "duty social worker has the details."
    ),
    (
        "Safety concern: referred to MASH at once and the police informed, as missing-person "
        "criteria are met."
    ),
)  # fmt: skip
REOPEN_REASONS = (
    "{new_school} reports {child} never started; reopening enquiries.",
    "Housing says the family is back at an address in {town} and {child} is not in school.",
    "{other_la} says the family is not at the address we gave them.",
)
CLOSE_NOTES: dict[str, str] = {
    Outcome.ON_ROLL_THIS_LA: (
        "{new_school} confirms attendance after 10 school days. Closing: on roll in Sefton."
    ),
    Outcome.ON_ROLL_OTHER_LA: (
        "{other_la} admissions confirm {child} is on roll at a school in their area."
    ),
    Outcome.HANDED_TO_OTHER_LA: (
        "{other_la}'s CME officer has accepted the case and will continue enquiries."
    ),
    Outcome.MOVED_ABROAD: (
        "Confirmation received that the family has moved to {country} (a letter from {child}'s new"
        " school there). Lost-pupil CTF on S2S."
    ),
    Outcome.HOME_EDUCATION: (
        "Parents gave written notice of elective home education; the EHE team visited and judged "
        "the provision suitable. Passed to the EHE team."
    ),
    Outcome.ALTERNATIVE_PROVISION: (
        "Settled in alternative provision arranged under section 19; attendance good. SEN team "
        "monitoring."
    ),
    Outcome.SAO_COMPLIED: (
        "School attendance order named {new_school}; {child} has attended since the order. Order "
        "complied with."
    ),
    Outcome.OVER_AGE: (
        "{child} has passed compulsory school age without being traced. Closing; youth service "
        "told about post-16 options."
    ),
    Outcome.DIED: (
        "Closing following notification from children's social care. Records kept under the "
        "retention policy."
    ),
    Outcome.DUPLICATE: (
        "Duplicate referral: the same concern came in from admissions and the school; the history "
        "is on the other record."
    ),
    Outcome.NOT_CME: (
        "{school} confirms {child} is on roll and attending; the absence was authorised. Not CME."
    ),
}  # fmt: skip
