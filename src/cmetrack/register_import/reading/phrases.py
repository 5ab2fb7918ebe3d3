"""Common CME phrasings of the coded fields, each onto a cmetrack code, for `suggest_codes`.

Written as `code_key` writes them (lower case, words separated by one space: a test checks),
and matched as whole words inside a value (a phrase inside a longer one found says less).
Only unambiguous phrases belong here: "unknown" alone (reason unknown, or whereabouts
unknown?) and "removed from roll" (by whom?) are left for the officer. Codes:
`cases.reference_data` (missing reasons, from the migrations it loads), `cases.models`
Outcome / ReferralSource / RiskLevel and `cases.status.Status`; a phrase whose code is not in
the list passed in is never suggested.
"""

from __future__ import annotations

from ..rows import RegisterField

F = RegisterField

# Where families on CME registers most often go or come from; "moved to Spain?" means abroad.
COUNTRIES = (
    "abroad", "overseas", "spain", "portugal", "poland", "romania", "bulgaria", "lithuania",
    "latvia", "slovakia", "czech republic", "hungary", "italy", "france", "germany",
    "ireland", "netherlands", "pakistan", "india", "bangladesh", "sri lanka", "nigeria",
    "ghana", "somalia", "eritrea", "sudan", "syria", "iraq", "iran", "afghanistan", "turkey",
    "ukraine", "albania", "usa", "america", "canada", "australia", "new zealand", "dubai",
    "jamaica", "hong kong", "china", "philippines", "south africa", "zimbabwe",
)  # fmt: skip
_ABROAD = (
    *COUNTRIES, "gone abroad", "moved abroad", "out of country", "out of the country",
    "left country", "left the country", "left uk", "left the uk", "returned to home country",
    "emigrated",
)  # fmt: skip
_HOME_EDUCATION = (
    "ehe", "elective home education", "home education", "home educated", "home educating",
    "home schooled", "home schooling",
)  # fmt: skip


def _all(code: str, phrases: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((phrase, code) for phrase in phrases)


PHRASES: dict[RegisterField, tuple[tuple[str, str], ...]] = {
    F.REASON: (
        *_all("moved-abroad-believed", _ABROAD),
        *_all("ehe-unsuitable", (*_HOME_EDUCATION, "ehe unsuitable", "unsuitable ehe")),
        *_all("whereabouts-unknown", ("whereabouts unknown", "address unknown", "nka")),
        *_all(
            "moved-destination-unknown",
            ("moved away", "moved out of area", "left area", "left the area", "moved out"),
        ),
        *_all("excluded", ("excluded", "permanent exclusion", "permanently excluded", "pex")),
        *_all(
            "never-started",
            ("never started", "not started school", "did not start school", "never attended"),
        ),
        *_all(
            "awaiting-place",
            ("awaiting place", "awaiting school place", "awaiting a place", "fair access"),
        ),
        *_all(
            "no-place-after-move",
            ("moved into area", "moved into the area", "new to area", "new to the area"),
        ),
        *_all("family-breakdown", ("family breakdown",)),
        *_all(
            "runaway-or-missing",
            ("missing", "missing child", "runaway", "ran away", "missing from home"),
        ),
        *_all("harm-or-neglect", ("harm", "neglect", "safeguarding", "at risk")),
        *_all(
            "removed-by-parents",
            ("removed by parents", "removed by parent", "parents removed", "withdrawn by parents"),
        ),
        *_all(
            "moves-regularly",
            ("moves regularly", "traveller", "gypsy roma traveller", "grt", "highly mobile"),
        ),
        *_all("key-stage-transition", ("transition", "key stage transition", "ks transition")),
        *_all(
            "offered-not-started",
            ("offered place not started", "place not taken up", "not taken up place"),
        ),
        *_all("left-independent-no-place", ("left independent school", "independent school")),
    ),
    F.REFERRAL_SOURCE: (
        *_all(
            "social_care",
            ("social care", "social services", "csc", "childrens social care", "social worker"),
        ),
        *_all("health", ("health", "health visitor", "school nurse", "gp", "nhs", "hospital")),
        *_all("police", ("police",)),
        *_all("housing", ("housing", "homeless", "homelessness")),
        *_all("youth_justice", ("yot", "youth offending", "youth justice")),
        *_all("admissions", ("admissions", "admissions team")),
        *_all("ehe_team", ("ehe", "ehe team", "ehe officer")),
        *_all(
            "other_la",
            ("other la", "another la", "other local authority", "another authority"),
        ),
        *_all("public", ("public", "member of public", "member of the public", "neighbour")),
        *_all("parent", ("parent", "parents", "parent carer", "mum", "dad", "carer")),
        *_all("data_check", ("data check", "data match", "census", "b2b")),
    ),
    F.STATUS: (
        *_all("referred", ("new", "new referral", "referred", "received", "pending")),
        *_all(
            "enquiries",
            ("open", "enquiries", "ongoing", "in progress", "active", "live", "investigating"),
        ),
        *_all("located", ("located", "found", "traced")),
        *_all("placed", ("placed", "monitoring")),
        *_all(
            "transferred",
            ("transferred", "transferred to other la", "passed to other la"),
        ),
        *_all("untraced", ("untraced", "not found", "unable to trace", "lost contact")),
        *_all(
            "closed",
            ("closed", "case closed", "complete", "completed", "finished", "resolved", "ended"),
        ),
    ),
    F.OUTCOME: (
        *_all(
            "on_roll_here",
            (
                "back in school",
                "returned to school",
                "on roll",
                "on roll this la",
                "in school",
                "school place found",
                "started school",
                "attending school",
            ),
        ),
        *_all(
            "on_roll_elsewhere",
            (
                "on roll elsewhere",
                "on roll in another la",
                "on roll another la",
                "on roll other la",
                "on roll in other la",
                "in school elsewhere",
            ),
        ),
        *_all(
            "handed_to_la",
            (
                "handed to other la",
                "handed to another la",
                "passed to other la",
                "transferred to other la",
                "referred to other la",
                "other la",
            ),
        ),
        *_all("moved_abroad", _ABROAD),
        *_all("home_education", (*_HOME_EDUCATION, "passed to ehe")),
        *_all(
            "alternative_provision",
            ("alternative provision", "section 19", "pru", "tuition", "ap"),
        ),
        *_all("sao_complied", ("sao", "school attendance order", "sao complied")),
        *_all("over_age", ("over age", "over school age", "too old", "aged out", "post 16")),
        *_all("died", ("died", "deceased")),
        *_all("duplicate", ("duplicate", "duplicate record")),
        *_all(
            "not_cme",
            ("not cme", "not a cme case", "inappropriate referral", "no further action", "nfa"),
        ),
    ),
    F.RISK: (
        *_all("low", ("low", "l", "green")),
        *_all("medium", ("medium", "med", "m", "amber")),
        *_all("high", ("high", "h", "red", "urgent")),
    ),
}
