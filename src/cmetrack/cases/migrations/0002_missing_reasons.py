"""Default reasons a child is missing education (DOMAIN.md §3, the seed page's list extended by
LA practice). The DfE codes of the termly collection are kept as data beside them and filled in
when the collection guide is confirmed; administrators can edit, add and retire reasons.

A frozen copy, not an import of app code, so this migration means the same thing forever.
"""

from django.db import migrations

REASONS = [
    ("never-started", "Did not start school at the right time"),
    ("removed-by-parents", "Removed from school by parents"),
    ("no-place-after-move", "Failed to find a school place after moving into the area"),
    ("moves-regularly", "Family moves regularly"),
    ("family-breakdown", "Family breakdown"),
    ("key-stage-transition", "Did not make a key-stage transition"),
    ("runaway-or-missing", "Runaway or missing child"),
    ("harm-or-neglect", "At risk of harm or neglect"),
    ("excluded", "Excluded"),
    # The DfE's most reported reason: kept distinct from whereabouts unknown (STANDARDS.md).
    ("moved-abroad-believed", "Believed to have moved out of the country"),
    ("ehe-unsuitable", "Home education judged unsuitable"),
    ("awaiting-place", "Awaiting a school place (admissions, Fair Access or SEND)"),
    ("offered-not-started", "Offered a place but has not started"),
    ("whereabouts-unknown", "Whereabouts unknown"),
    ("other", "Other reason"),
]


def load(apps, schema_editor):
    MissingReason = apps.get_model("cases", "MissingReason")
    for order, (code, label) in enumerate(REASONS, start=1):
        MissingReason.objects.update_or_create(
            code=code, defaults={"label": label, "display_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
