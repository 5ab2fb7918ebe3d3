"""The DfE children missing education and elective home education collection's code lists, two
versions: autumn 2023 (when length of time and primary reason were first collected) to summer
2025, and autumn 2025 onwards (five CME reasons added). docs/statutory-return.md gives the
sources. None of the DfE codes could be checked against the collection guide itself: every code
is loaded unconfirmed, for an administrator to correct in Django admin when the guide is to
hand. The labels seen in the DfE's published statistics are noted there.

A frozen copy, not an import of app code, so this migration means the same thing forever.
"""

from datetime import date

from django.db import migrations

TERMS = [
    (
        "2023-autumn",
        "Autumn 2023 to summer 2025",
        date(2023, 9, 1),
        "Explore Education Statistics, Children missing education, methodology (length of time "
        "and primary reason collected from autumn 2023). Codes not checked against the guide.",
    ),
    (
        "2025-autumn",
        "Autumn 2025 onwards",
        date(2025, 9, 1),
        "Explore Education Statistics, Children missing education, methodology (five reasons "
        "added in autumn 2025). Which five, and every code, not checked against the guide.",
    ),
]

# (DfE code, label, unknown?) in the order the return lists them.
CME_REASONS_2023 = [
    ("CME_APPLICATION_AWAITING", "School application awaiting outcome", False),
    ("CME_OFFERED_NOT_STARTED", "Offered a school place but not yet started", False),
    ("CME_MOVED_ABROAD", "Believed to have moved out of the country", False),
    ("CME_MOVED_DESTINATION_UNKNOWN", "Moved away, destination not known", False),
    ("CME_WHEREABOUTS_UNKNOWN", "Whereabouts unknown", False),
    ("CME_EHE_UNSUITABLE", "Elective home education judged unsuitable", False),
    ("CME_EXCLUDED", "Permanently excluded, no provision in place", False),
    ("CME_NOT_STARTED", "Did not start school or move up at the expected time", False),
    ("CME_PARENTAL_CHOICE", "Removed from school by parents, no other education", False),
    ("CME_OTHER", "Other", False),
    ("CME_NOT_KNOWN", "Not known", True),
]
CME_REASONS_ADDED_2025 = [
    ("CME_TEMPORARY_ACCOMMODATION", "Living in temporary accommodation", False),
    ("CME_MOVES_REGULARLY", "Family moves regularly", False),
    ("CME_MISSING_FROM_HOME", "Missing from home or care", False),
    ("CME_SAFEGUARDING", "At risk of harm or neglect", False),
    ("CME_FAMILY_BREAKDOWN", "Family breakdown", False),
]
EHE_REASONS = [
    ("EHE_PHILOSOPHICAL", "Philosophical or preferential reasons", False),
    ("EHE_MENTAL_HEALTH", "Mental health", False),
    ("EHE_PHYSICAL_HEALTH", "Physical health", False),
    ("EHE_DISSATISFIED_SCHOOL", "Dissatisfaction with the school", False),
    ("EHE_DISSATISFIED_SEND", "Dissatisfaction with SEND provision", False),
    ("EHE_BULLYING", "Bullying", False),
    ("EHE_RELIGIOUS_CULTURAL", "Religious or cultural reasons", False),
    ("EHE_LIFESTYLE", "Lifestyle choice", False),
    ("EHE_PREFERRED_SCHOOL", "Did not get a place at the preferred school", False),
    ("EHE_SHORT_TERM", "Short-term intervention", False),
    ("EHE_OTHER", "Other", False),
    ("EHE_NOT_KNOWN", "No reason given or not known", True),
]
# (DfE code, label, longest time in days or None, unknown?)
LENGTH_BANDS = [
    ("LEN_12_WEEKS_OR_LESS", "12 weeks or less", 84, False),
    ("LEN_MORE_THAN_12_WEEKS", "More than 12 weeks", None, False),
    ("LEN_NOT_KNOWN", "Not known", None, True),
]

# cmetrack's reasons (cases.MissingReason.code) onto each term's codes.
MAPPING_2023 = {
    "never-started": "CME_NOT_STARTED",
    "removed-by-parents": "CME_PARENTAL_CHOICE",
    "no-place-after-move": "CME_APPLICATION_AWAITING",
    "moves-regularly": "CME_OTHER",
    "family-breakdown": "CME_OTHER",
    "key-stage-transition": "CME_NOT_STARTED",
    "runaway-or-missing": "CME_WHEREABOUTS_UNKNOWN",
    "harm-or-neglect": "CME_OTHER",
    "excluded": "CME_EXCLUDED",
    "moved-abroad-believed": "CME_MOVED_ABROAD",
    "ehe-unsuitable": "CME_EHE_UNSUITABLE",
    "awaiting-place": "CME_APPLICATION_AWAITING",
    "offered-not-started": "CME_OFFERED_NOT_STARTED",
    "whereabouts-unknown": "CME_WHEREABOUTS_UNKNOWN",
    "other": "CME_OTHER",
    "moved-destination-unknown": "CME_MOVED_DESTINATION_UNKNOWN",
    "left-independent-no-place": "CME_OTHER",
}
MAPPING_2025 = {
    **MAPPING_2023,
    "moves-regularly": "CME_MOVES_REGULARLY",
    "family-breakdown": "CME_FAMILY_BREAKDOWN",
    "runaway-or-missing": "CME_MISSING_FROM_HOME",
    "harm-or-neglect": "CME_SAFEGUARDING",
}
LISTS = {
    "2023-autumn": (CME_REASONS_2023, MAPPING_2023),
    "2025-autumn": (
        CME_REASONS_2023[:-2] + CME_REASONS_ADDED_2025 + CME_REASONS_2023[-2:],
        MAPPING_2025,
    ),
}


def load(apps, schema_editor):
    """Never changes a row that exists: an administrator's corrections stand."""
    CollectionTerm = apps.get_model("reports", "CollectionTerm")
    CollectionCode = apps.get_model("reports", "CollectionCode")
    ReasonMapping = apps.get_model("reports", "ReasonMapping")
    MissingReason = apps.get_model("cases", "MissingReason")
    for code, label, valid_from, source in TERMS:
        term, _ = CollectionTerm.objects.get_or_create(
            code=code, defaults={"label": label, "valid_from": valid_from, "source": source}
        )
        reasons, mapping = LISTS[code]
        rows = [("cme_reason", c, lbl, None, unknown) for c, lbl, unknown in reasons]
        rows += [("ehe_reason", c, lbl, None, unknown) for c, lbl, unknown in EHE_REASONS]
        rows += [("length_band", c, lbl, days, unknown) for c, lbl, days, unknown in LENGTH_BANDS]
        for order, (code_list, dfe_code, label_, max_days, unknown) in enumerate(rows, start=1):
            CollectionCode.objects.get_or_create(
                term=term,
                code_list=code_list,
                dfe_code=dfe_code,
                defaults={
                    "label": label_,
                    "max_days": max_days,
                    "is_unknown": unknown,
                    "display_order": order * 10,
                },
            )
        for reason in MissingReason.objects.filter(code__in=list(mapping)):
            ReasonMapping.objects.get_or_create(
                term=term,
                missing_reason=reason,
                defaults={
                    "code": CollectionCode.objects.get(
                        term=term, code_list="cme_reason", dfe_code=mapping[reason.code]
                    )
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_collection_code_lists"),
        ("cases", "0009_ground_reason_defaults"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
