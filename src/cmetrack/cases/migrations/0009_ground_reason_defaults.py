"""Reasons the grounds for removal default to without misclassifying the child (issue 10).

Ground (g), a move with no confirmed destination, was recorded as "Family moves regularly", and
ground (m), a boarder removed over unpaid fees, as "Removed from school by parents": neither is
what the school reported. Two reasons say what is known instead. Existing cases keep the reason
an officer gave them; only new cases opened on those grounds use these.

A frozen copy, not an import of app code, so this migration means the same thing forever.
"""

from django.db import migrations

REASONS = [
    ("moved-destination-unknown", "Moved away, destination not known", 45),
    (
        "left-independent-no-place",
        "Left an independent or non-maintained school with no new school place",
        125,
    ),
]


def load(apps, schema_editor):
    MissingReason = apps.get_model("cases", "MissingReason")
    for code, label, order in REASONS:
        MissingReason.objects.get_or_create(
            code=code, defaults={"label": label, "display_order": order}
        )


class Migration(migrations.Migration):
    # Written beside another helper's 0008 (case_version): it follows that one so the graph has
    # one leaf; the lead renumbers it on integration.
    dependencies = [("cases", "0008_case_version")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
