"""Default reasons for elective home education: the primary reasons the DfE's termly EHE
collection reports (as published in its "Elective home education" statistics, 2022/23 onwards).
The collection's own codes could not be confirmed, so `dfe_code` is left blank for an
administrator to fill in from the collection guide (docs/home-education.md); reasons can be
edited, added and retired (valid_to) as data.

A frozen copy, not an import of app code, so this migration means the same thing forever.
"""

from django.db import migrations

REASONS = [
    ("philosophical", "Philosophical or preferential reasons"),
    ("lifestyle", "Lifestyle choice"),
    ("religious", "Religious reasons"),
    ("physical-health", "Physical health"),
    ("mental-health", "Mental health"),
    ("covid-health-concerns", "Health concerns relating to COVID-19"),
    ("suggested-by-school", "Suggested by the school"),
    ("bullying", "Bullying"),
    ("dissatisfaction-send", "Dissatisfaction with SEND provision"),
    ("dissatisfaction-school", "Dissatisfaction with the school in general"),
    ("permanently-excluded", "Permanently excluded"),
    ("avoiding-exclusion", "Avoiding exclusion"),
    ("not-preferred-school", "Not able to get a place at the preferred school"),
    ("other", "Other reason"),
    ("no-reason-given", "No reason given"),
]


def load(apps, schema_editor):
    EheReason = apps.get_model("ehe", "EheReason")
    for order, (code, label) in enumerate(REASONS, start=1):
        EheReason.objects.update_or_create(
            code=code, defaults={"label": label, "display_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("ehe", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
